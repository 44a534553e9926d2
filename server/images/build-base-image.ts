import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { AppError } from "../errors";
import { findDebianMirror } from "./debian-mirror";
import type { ImageBuildProgress } from "./image-build-progress";
import { hashImageInputs, inputsTag, readContextFiles } from "./image-inputs";
import { type ImagePodman, imageExists } from "./image-podman";
import { runCommand } from "./run-command";

export const debianSuite = "bookworm";
export const baseRepo = "localhost/claw-base";
export const defaultBaseContextDir = fileURLToPath(new URL("../../container/base", import.meta.url));

export type BuildBaseImageOptions = {
  /** Holds trim-rootfs.sh; defaults to container/base of this repo. */
  contextDir?: string;
  /** Debian mirror; defaults to the one the host's apt uses for the suite. */
  mirror?: string;
  noCache?: boolean;
  onProgress?: ImageBuildProgress;
};

export type BuiltImage = {
  ref: string;
  /** Full sha256 of the inputs; the tag is its first 16 hex digits. */
  inputsHash: string;
  cached: boolean;
  /** Milliseconds per phase that ran. */
  timings: Record<string, number>;
};

/** The inputs of the base: the bootstrap files and what debootstrap is asked for. */
export async function baseImageInputsHash(contextDir = defaultBaseContextDir): Promise<string> {
  return hashImageInputs({
    files: await readContextFiles(contextDir),
    pins: { debianSuite, variant: "minbase", arch: process.arch },
  });
}

/**
 * `debootstrap --variant=minbase` into a temp dir, trimmed, then `tar | podman import` as
 * localhost/claw-base:<inputs hash>. Skipped when that tag exists (unless noCache).
 */
export async function buildBaseImage(
  podman: ImagePodman,
  options: BuildBaseImageOptions = {},
): Promise<BuiltImage> {
  const contextDir = options.contextDir ?? defaultBaseContextDir;
  const report = options.onProgress ?? (() => {});
  const inputsHash = await baseImageInputsHash(contextDir);
  const ref = `${baseRepo}:${inputsTag(inputsHash)}`;
  if (!options.noCache && (await imageExists(podman.docker, ref))) {
    report({ step: "base cached", line: ref, percent: 100 });
    return { ref, inputsHash, cached: true, timings: {} };
  }
  if (process.geteuid?.() !== 0) {
    throw new AppError("PRECONDITION_FAILED", "Bootstrapping the base image needs root (debootstrap)", {
      fix: "Build the base image once as root, or provide localhost/claw-base from elsewhere.",
    });
  }

  const mirror = options.mirror ?? (await findDebianMirror(debianSuite));
  const work = await mkdtemp(join(tmpdir(), "claw-base-"));
  const rootfs = join(work, "rootfs");
  const timings: Record<string, number> = {};
  try {
    let started = Date.now();
    report({
      step: "debootstrap",
      line: `debootstrap --variant=minbase ${debianSuite} from ${mirror}`,
      percent: 0,
    });
    await runCommand("debootstrap", ["--variant=minbase", debianSuite, rootfs, mirror], {
      onLine: (line) => report({ step: "debootstrap", line }),
      fix: "Install debootstrap (`apt-get install -y debootstrap`) and check that the Debian mirror answers.",
    });
    await runCommand("sh", [join(contextDir, "trim-rootfs.sh"), rootfs], {
      onLine: (line) => report({ step: "trim", line }),
      fix: `Check ${join(contextDir, "trim-rootfs.sh")}.`,
    });
    timings.debootstrapMs = Date.now() - started;

    started = Date.now();
    report({ step: "import base", line: ref, percent: 50 });
    await importRootfs(podman, rootfs, ref);
    timings.importMs = Date.now() - started;
    report({ step: "base ready", line: ref, percent: 100 });
    return { ref, inputsHash, cached: false, timings };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** `tar -C rootfs -c . | podman import - ref`, failing when either side fails. */
async function importRootfs(podman: ImagePodman, rootfs: string, ref: string): Promise<void> {
  const tar = spawn("tar", ["--numeric-owner", "--xattrs", "-C", rootfs, "-c", "."], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let tarError = "";
  tar.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    tarError += chunk;
  });
  const tarDone = new Promise<number | null>((resolve, reject) => {
    tar.on("error", reject);
    tar.on("close", resolve);
  });
  await runCommand(
    podman.podmanBinary,
    [
      "import",
      "--change",
      "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      "--change",
      'CMD ["/bin/bash"]',
      "-",
      ref,
    ],
    {
      env: podman.cliEnv,
      stdin: tar.stdout,
      fix: "Check that Podman works (`podman info`) and has disk space.",
    },
  );
  const code = await tarDone;
  if (code !== 0) {
    throw new AppError(
      "INTERNAL",
      `tar of the base root filesystem failed (exit ${code}): ${tarError.trim()}`,
      {
        fix: "Check free disk space in the temp dir.",
      },
    );
  }
}
