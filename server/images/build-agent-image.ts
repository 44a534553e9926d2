import { mkdir } from "node:fs/promises";
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
import { agentDebs, readDebVersions } from "./fetch-debs";
import type { ImagePodman } from "./image-podman";
import { ensureOpenClaw, type OpenClawInstall } from "./install-openclaw";

export const agentRepo = "localhost/claw-openclaw-agent";
export const defaultAgentContextDir = fileURLToPath(new URL("../../container/agent", import.meta.url));

/** contextDir holds Containerfile, claw-agent-init and the two socket bridges (container/agent). */
export type BuildAgentImageOptions = BuildOnBaseOptions<OpenClawInstall>;

export type AgentImage = LayeredImage;

/** Pure: the pins of the agent image, from what goes into it. */
export function agentImagePins(
  input: PinsInput<Pick<OpenClawInstall, "version" | "nodeVersion">>,
): Record<string, string> {
  return {
    openclaw: input.install.version,
    node: input.install.nodeVersion,
    ...onBasePins(input.baseInputsHash, input.debVersions),
  };
}

/** Node 24, OpenClaw and the init with its two socket bridges. */
export const agentImageSpec: ImageOnBase<OpenClawInstall> = {
  repo: agentRepo,
  kind: "openclaw-agent",
  defaultContextDir: defaultAgentContextDir,
  install: {
    step: "openclaw",
    line: "checking the pinned Node 24 + OpenClaw install",
    ensure: (log) => ensureOpenClaw({ log }),
  },
  debs: () => readDebVersions(agentDebs),
  pins: agentImagePins,
  labels: (install) => ({ "claw.openclaw": install.version, "claw.node": install.nodeVersion }),
  assemble: async (context, install) => {
    await mkdir(join(context, "node", "bin"), { recursive: true });
    await linkOrCopy(install.nodeBinary, join(context, "node", "bin", "node"));
    await linkOrCopy(join(install.dir, "app"), join(context, "openclaw"));
  },
};

/**
 * Builds localhost/claw-openclaw-agent:<inputs hash> (also tagged :latest) on the claw base, with
 * `podman build --network none`; skipped when that tag exists unless noCache.
 */
export function buildAgentImage(
  podman: ImagePodman,
  options: BuildAgentImageOptions = {},
): Promise<AgentImage> {
  return buildImageOnBase(podman, agentImageSpec, options);
}
