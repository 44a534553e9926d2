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

export const claudeCodeRepo = "localhost/claw-claude-code";
export const defaultClaudeCodeContextDir = fileURLToPath(
  new URL("../../container/claude-code", import.meta.url),
);

/**
 * What the image installs from host-downloaded .debs, dependencies resolved against the base.
 * bash and coreutils are Essential (always in the base); naming them keeps them guaranteed.
 */
export const claudeCodeDebs = ["git", "bash", "coreutils", "ca-certificates", "tini", "socat"] as const;

/** contextDir holds the Containerfile (container/claude-code). */
export type BuildClaudeCodeImageOptions = BuildOnBaseOptions<ClaudeCodeInstall>;

export type ClaudeCodeImage = LayeredImage;

/** Pure: the pins of the Claude Code image, from what goes into it. */
export function claudeCodeImagePins(
  input: PinsInput<Pick<ClaudeCodeInstall, "version" | "platformPackage">>,
): Record<string, string> {
  return {
    claudeCode: input.install.version,
    claudeCodePackage: input.install.platformPackage,
    ...onBasePins(input.baseInputsHash, input.debVersions),
  };
}

/** The Claude Code binary, git, bash, socat and tini; the job runner passes `claw-job-init claude -p …`. */
export const claudeCodeImageSpec: ImageOnBase<ClaudeCodeInstall> = {
  repo: claudeCodeRepo,
  kind: "claude-code",
  defaultContextDir: defaultClaudeCodeContextDir,
  install: {
    step: "claude code",
    line: "checking the pinned Claude Code binary",
    ensure: (log) => ensureClaudeCode({ log }),
  },
  debs: (podman, base) => resolveDebsOnto(podman, base.ref, claudeCodeDebs),
  pins: claudeCodeImagePins,
  labels: (install) => ({ "claw.claude-code": install.version }),
  assemble: (context, install) => linkOrCopy(install.claudeBinary, join(context, "claude")),
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
