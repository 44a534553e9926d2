import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type BuildOnBaseOptions,
  buildImageOnBase,
  type ImageOnBase,
  type LayeredImage,
  linkOrCopy,
  onBasePins,
  type PinsInput,
} from "./build-image-on-base";
import { resolveDebsOnto } from "./fetch-debs";
import type { ImagePodman } from "./image-podman";
import { type ClaudeCodeInstall, ensureClaudeCode } from "./install-claude-code";
import { ensureOpenClaw, type OpenClawInstall } from "./install-openclaw";

export const claudeCodeRepo = "localhost/claw-claude-code";
export const defaultClaudeCodeContextDir = fileURLToPath(
  new URL("../../container/claude-code", import.meta.url),
);

/**
 * What the image installs from host-downloaded .debs, dependencies resolved against the base:
 * the tools a job expects next to Claude Code. bash and coreutils are Essential (always in the
 * base); naming them keeps them guaranteed.
 */
export const claudeCodeDebs = [
  "git",
  "bash",
  "coreutils",
  "ca-certificates",
  "tini",
  "socat",
  "python3",
  "ripgrep",
  "jq",
  "curl",
] as const;

/**
 * What the image's install step ensures: the Claude Code binary, and the pinned Node 24 of the
 * agent image (the same binary, from the OpenClaw install in .cache/openclaw).
 */
export type ClaudeCodeImageInstall = {
  claudeCode: ClaudeCodeInstall;
  node: Pick<OpenClawInstall, "nodeBinary" | "nodeVersion">;
};

/** contextDir holds the Containerfile (container/claude-code). */
export type BuildClaudeCodeImageOptions = BuildOnBaseOptions<ClaudeCodeImageInstall>;

export type ClaudeCodeImage = LayeredImage;

/** Pure: the pins of the Claude Code image, from what goes into it. */
export function claudeCodeImagePins(
  input: PinsInput<{
    claudeCode: Pick<ClaudeCodeInstall, "version" | "platformPackage">;
    node: Pick<OpenClawInstall, "nodeVersion">;
  }>,
): Record<string, string> {
  return {
    claudeCode: input.install.claudeCode.version,
    claudeCodePackage: input.install.claudeCode.platformPackage,
    node: input.install.node.nodeVersion,
    ...onBasePins(input.baseInputsHash, input.debVersions),
  };
}

/**
 * The Claude Code binary, Node, git, python3, ripgrep, jq, curl, bash, socat and tini; the job
 * runner passes `claw-job-init claude -p …`.
 */
export const claudeCodeImageSpec: ImageOnBase<ClaudeCodeImageInstall> = {
  repo: claudeCodeRepo,
  kind: "claude-code",
  defaultContextDir: defaultClaudeCodeContextDir,
  install: {
    step: "claude code",
    line: "checking the pinned Claude Code binary and Node 24 (shared with the agent image)",
    ensure: async (log) => {
      const claudeCode = await ensureClaudeCode({ log });
      // Node comes with the OpenClaw install: when the agent image is built, it is already there.
      const { nodeBinary, nodeVersion } = await ensureOpenClaw({ log });
      return { claudeCode, node: { nodeBinary, nodeVersion } };
    },
  },
  debs: (podman, base) => resolveDebsOnto(podman, base.ref, claudeCodeDebs),
  pins: claudeCodeImagePins,
  labels: (install) => ({
    "claw.claude-code": install.claudeCode.version,
    "claw.node": install.node.nodeVersion,
  }),
  assemble: async (context, install) => {
    await linkOrCopy(install.node.nodeBinary, join(context, "node"));
    await linkOrCopy(install.claudeCode.claudeBinary, join(context, "claude"));
  },
};

/**
 * Builds localhost/claw-claude-code:<inputs hash> (also tagged :latest) on the claw base, with
 * `podman build --network none`; skipped when that tag exists unless noCache.
 */
export function buildClaudeCodeImage(
  podman: ImagePodman,
  options: BuildClaudeCodeImageOptions = {},
): Promise<ClaudeCodeImage> {
  return buildImageOnBase(podman, claudeCodeImageSpec, options);
}
