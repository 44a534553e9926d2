import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppError } from "../errors";
import { type BuildBaseImageOptions, type BuiltImage, buildBaseImage, debianSuite } from "./build-base-image";
import { debPins, downloadDebs } from "./fetch-debs";
import { type ImageBuildProgress, percentOfBuildLine } from "./image-build-progress";
import { hashImageInputs, inputsTag, readContextFiles } from "./image-inputs";
import { type ImagePodman, imageExists, tagImage } from "./image-podman";
import { runCommand } from "./run-command";

/** An image built on the claw base: the inputs-hash tag, `:latest`, and the base it stands on. */
export type LayeredImage = BuiltImage & { latestRef: string; base: BuiltImage };

/** What every builder of an image on the claw base takes. */
export type BuildOnBaseOptions<Install> = {
  /** Holds the Containerfile and the small files it copies; defaults to the image's dir under container/. */
  contextDir?: string;
  /** Rebuild even when the inputs-hash tag exists (podman build --no-cache too). */
  noCache?: boolean;
  onProgress?: ImageBuildProgress;
  /** Options for the base image built (or found) first. */
  base?: Omit<BuildBaseImageOptions, "onProgress">;
  /** Where the runtime comes from; defaults to the image's pinned install (install-openclaw.ts, install-claude-code.ts). */
  install?: () => Promise<Install>;
};

/** Pure: the pins every image on the base shares: the base, the suite, the arch and the .debs. */
export function onBasePins(
  baseInputsHash: string,
  debVersions: Record<string, string>,
): Record<string, string> {
  return { debianSuite, base: baseInputsHash, arch: process.arch, ...debPins(debVersions) };
}

/** What an image's pins are made from. */
export type PinsInput<Install> = {
  install: Install;
  baseInputsHash: string;
  debVersions: Record<string, string>;
};

/** One image on the claw base: where its parts come from and how they go into the context. */
export type ImageOnBase<Install> = {
  /** e.g. localhost/claw-openclaw-agent; tagged `:<inputs hash>` and `:latest`. */
  repo: string;
  /** The `claw.image` label. */
  kind: string;
  /** Containerfile and the small files next to it: copied into the build context and hashed. */
  defaultContextDir: string;
  /** The runtime (from npm, cached under .cache/): a progress step, what it says, how to get it. */
  install: { step: string; line: string; ensure: (log: (line: string) => void) => Promise<Install> };
  /** Exact .deb versions, downloaded into the context's debs/ for a bind mount in the build. */
  debs: (podman: ImagePodman, base: BuiltImage) => Promise<Record<string, string>>;
  /** Pure: what else the image is made of, hashed with the context files. */
  pins: (input: PinsInput<Install>) => Record<string, string>;
  /** Labels besides claw.image and claw.inputs, e.g. `{ "claw.openclaw": "2026.9.6" }`. */
  labels: (install: Install) => Record<string, string>;
  /** Puts the large pieces (runtimes, binaries) into the assembled context, e.g. with linkOrCopy. */
  assemble: (context: string, install: Install) => Promise<void>;
};

/**
 * Builds `repo:<inputs hash>` (also tagged :latest) on the claw base (built or found first) with
 * `podman build --network none` from an assembled context; when that tag exists it only moves
 * :latest onto it, unless noCache.
 *
 * Drives the `podman build` CLI (with the host's CONTAINERS_CONF) rather than the API's build:
 * the CLI's exit code is the truth about failure (the compat API's build stream can report success
 * on failure), its output streams line by line for progress, and the context is read from disk
 * instead of being sent as a tar of hundreds of MB through the socket.
 */
export async function buildImageOnBase<Install>(
  podman: ImagePodman,
  image: ImageOnBase<Install>,
  options: BuildOnBaseOptions<Install>,
): Promise<LayeredImage> {
  const report = options.onProgress ?? (() => {});
  const base = await buildBaseImage(podman, { ...options.base, onProgress: report });
  const { step, line } = image.install;
  report({ step, line });
  const install = await (
    options.install ?? (() => image.install.ensure((text) => report({ step, line: text })))
  )();
  report({ step: "debs", line: "choosing the .debs to install" });
  const debs = await image.debs(podman, base);
  const contextDir = options.contextDir ?? image.defaultContextDir;
  const timings: Record<string, number> = {};
  const inputsHash = hashImageInputs({
    files: await readContextFiles(contextDir),
    pins: image.pins({ install, baseInputsHash: base.inputsHash, debVersions: debs }),
  });
  const ref = `${image.repo}:${inputsTag(inputsHash)}`;
  const latestRef = `${image.repo}:latest`;

  if (!options.noCache && (await imageExists(podman.docker, ref))) {
    await tagImage(podman.docker, ref, image.repo, "latest");
    report({ step: "cached", line: ref, percent: 100 });
    return { ref, latestRef, inputsHash, cached: true, timings, base };
  }

  const work = await mkdtemp(join(tmpdir(), `claw-${image.kind}-build-`));
  try {
    let started = Date.now();
    report({ step: "assemble context", line: work });
    await runCommand("cp", ["-pR", `${contextDir}/.`, work], {
      fix: `Check that ${contextDir} is readable.`,
    });
    await mkdir(join(work, "debs"));
    report({ step: "download debs", line: Object.keys(debs).join(", ") });
    await downloadDebs(debs, join(work, "debs"));
    await image.assemble(work, install);
    timings.assembleMs = Date.now() - started;

    started = Date.now();
    report({ step: "build", line: `podman build ${ref}`, percent: 0 });
    const labels = { "claw.image": image.kind, "claw.inputs": inputsHash, ...image.labels(install) };
    await runCommand(
      podman.podmanBinary,
      [
        "build",
        "--network",
        "none",
        // `--pull never` would be read as `--pull` plus a stray argument by Podman 4.3.
        "--pull=never",
        "--layers",
        ...(options.noCache ? ["--no-cache"] : []),
        "--build-arg",
        `BASE_IMAGE=${base.ref}`,
        // The layer cache does not look into bind mounts: a Containerfile that declares this ARG
        // before its `RUN --mount … dpkg -i` gets a new layer whenever the set of .debs changes.
        "--build-arg",
        `CLAW_DEBS=${inputsTag(hashImageInputs({ files: [], pins: debs }))}`,
        ...Object.entries(labels).flatMap(([key, value]) => ["--label", `${key}=${value}`]),
        "--file",
        join(work, "Containerfile"),
        "--tag",
        ref,
        "--tag",
        latestRef,
        work,
      ],
      {
        env: podman.cliEnv,
        onLine: (line) => report({ step: "build", line, percent: percentOfBuildLine(line) }),
        fix: "Read the build output above; `podman info` shows whether Podman itself works.",
      },
    );
    timings.buildMs = Date.now() - started;
    if (!(await imageExists(podman.docker, ref))) {
      throw new AppError("INTERNAL", `podman build finished but ${ref} is not in the image store`, {
        fix: "Check that the Podman service and the podman CLI use the same storage (both rootful or both rootless).",
      });
    }
    report({ step: "done", line: ref, percent: 100 });
    return { ref, latestRef, inputsHash, cached: false, timings, base };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Hard links when source and temp dir share a filesystem (instant, no extra space), else a copy. */
export async function linkOrCopy(source: string, target: string): Promise<void> {
  const fix = `Check that ${source} is readable and the temp dir has space.`;
  try {
    await runCommand("cp", ["-al", source, target], { fix });
  } catch {
    await rm(target, { recursive: true, force: true });
    await runCommand("cp", ["-a", source, target], { fix });
  }
}
