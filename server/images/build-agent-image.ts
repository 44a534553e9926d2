import { copyFile, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureOpenClaw, type OpenClawInstall } from "../../scripts/install-openclaw.mjs";
import { AppError } from "../errors";
import { type BuildBaseImageOptions, type BuiltImage, buildBaseImage, debianSuite } from "./build-base-image";
import { agentDebs, downloadDebs, readDebVersions } from "./fetch-debs";
import { type ImageBuildProgress, percentOfBuildLine } from "./image-build-progress";
import { hashImageInputs, inputsTag, readContextFiles } from "./image-inputs";
import { type ImagePodman, imageExists, tagImage } from "./image-podman";
import { runCommand } from "./run-command";

export const agentRepo = "localhost/claw-openclaw-agent";
export const defaultAgentContextDir = fileURLToPath(new URL("../../container/agent", import.meta.url));

export type BuildAgentImageOptions = {
  /** Holds Containerfile, claw-agent-init and the two socket bridges; defaults to container/agent of this repo. */
  contextDir?: string;
  /** Rebuild even when the inputs-hash tag exists (podman build --no-cache too). */
  noCache?: boolean;
  onProgress?: ImageBuildProgress;
  /** Options for the base image built (or found) first. */
  base?: Omit<BuildBaseImageOptions, "onProgress">;
  /** Where Node 24 and OpenClaw come from; defaults to scripts/install-openclaw.mjs. */
  install?: () => Promise<OpenClawInstall>;
};

export type AgentImage = BuiltImage & { latestRef: string; base: BuiltImage };

/** Pure: the pins of the agent image, from what goes into it. */
export function agentImagePins(input: {
  install: Pick<OpenClawInstall, "version" | "nodeVersion">;
  baseInputsHash: string;
  debVersions: Record<string, string>;
}): Record<string, string> {
  const debs = Object.fromEntries(
    Object.entries(input.debVersions).map(([name, version]) => [`deb:${name}`, version]),
  );
  return {
    openclaw: input.install.version,
    node: input.install.nodeVersion,
    debianSuite,
    base: input.baseInputsHash,
    arch: process.arch,
    ...debs,
  };
}

/**
 * Builds localhost/claw-openclaw-agent:<inputs hash> (also tagged :latest) on the claw base, with
 * `podman build --network none`; skipped when that tag exists unless noCache.
 *
 * Drives the `podman build` CLI (with the host's CONTAINERS_CONF) rather than the API's build:
 * the CLI's exit code is the truth about failure (the compat API's build stream can report success
 * on failure), its output streams line by line for progress, and the context is read from disk
 * instead of being sent as an ~850 MB tar through the socket.
 */
export async function buildAgentImage(
  podman: ImagePodman,
  options: BuildAgentImageOptions = {},
): Promise<AgentImage> {
  const contextDir = options.contextDir ?? defaultAgentContextDir;
  const report = options.onProgress ?? (() => {});
  const timings: Record<string, number> = {};

  const base = await buildBaseImage(podman, { ...options.base, onProgress: report });
  report({ step: "openclaw", line: "checking the pinned Node 24 + OpenClaw install" });
  const install = await (
    options.install ?? (() => ensureOpenClaw({ log: (line) => report({ step: "openclaw", line }) }))
  )();
  const debVersions = await readDebVersions(agentDebs);
  const inputsHash = hashImageInputs({
    files: await readContextFiles(contextDir),
    pins: agentImagePins({ install, baseInputsHash: base.inputsHash, debVersions }),
  });
  const tag = inputsTag(inputsHash);
  const ref = `${agentRepo}:${tag}`;
  const latestRef = `${agentRepo}:latest`;

  if (!options.noCache && (await imageExists(podman.docker, ref))) {
    await tagImage(podman.docker, ref, agentRepo, "latest");
    report({ step: "cached", line: ref, percent: 100 });
    return { ref, latestRef, inputsHash, cached: true, timings, base };
  }

  const work = await mkdtemp(join(tmpdir(), "claw-agent-build-"));
  try {
    let started = Date.now();
    report({ step: "assemble context", line: work });
    await mkdir(join(work, "debs"));
    await mkdir(join(work, "node", "bin"), { recursive: true });
    await copyFile(join(contextDir, "Containerfile"), join(work, "Containerfile"));
    for (const file of ["claw-agent-init", "claw-ingress.mjs", "claw-egress.mjs"]) {
      await runCommand("cp", ["-p", join(contextDir, file), join(work, file)], {
        fix: `Check that ${contextDir} is readable.`,
      });
    }
    report({ step: "download debs", line: Object.keys(debVersions).join(", ") });
    await downloadDebs(debVersions, join(work, "debs"));
    await linkOrCopy(install.nodeBinary, join(work, "node", "bin", "node"));
    await linkOrCopy(join(install.dir, "app"), join(work, "openclaw"));
    timings.assembleMs = Date.now() - started;

    started = Date.now();
    report({ step: "build", line: `podman build ${ref}`, percent: 0 });
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
        "--label",
        "claw.image=openclaw-agent",
        "--label",
        `claw.inputs=${inputsHash}`,
        "--label",
        `claw.openclaw=${install.version}`,
        "--label",
        `claw.node=${install.nodeVersion}`,
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
async function linkOrCopy(source: string, target: string): Promise<void> {
  const fix = `Check that ${source} is readable and the temp dir has space.`;
  try {
    await runCommand("cp", ["-al", source, target], { fix });
  } catch {
    await rm(target, { recursive: true, force: true });
    await runCommand("cp", ["-a", source, target], { fix });
  }
}
