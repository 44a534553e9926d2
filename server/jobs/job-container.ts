import { claudeCodeRepo } from "../images/build-claude-code-image";
import { type IdMapping, libpodCreateBody } from "../podman/libpod-create-body";
import {
  type ContainerSpec,
  egressProxyEnv,
  egressProxyMount,
  egressProxySpec,
  hardening,
  podmanNetworkMode,
} from "../policy/compile-container-spec";
import type { ImageRef } from "../policy/compile-inputs";
import { modelGatewayListen, modelPlaceholderKey, modelSocketDir } from "../policy/model-route";
import type { JobTemplate } from "./job-template";

export const claudeCodeImage = `${claudeCodeRepo}:latest`;
export const jobLabel = "claw.job";
export const jobSessionLabel = "claw.job-session";
/**
 * `proxy` on every job's container: its model calls go through the panel's model gateway. A running
 * container without it was started by an older panel with the OAuth login inside it ("direct").
 */
export const jobModelLabel = "claw.job-model";

/**
 * Pure: the job's container, hardened as an agent's is: user 1000 in its own user namespace, no
 * capabilities, no new privileges, read-only root, limits, and network `none` with only the egress
 * proxy's socket for `restricted`/`devops`. Mount sources are relative to the session's directory.
 * The job reaches the model only through the panel's model gateway, which adds the API key or the
 * OAuth login's token: the container holds a placeholder, never a credential.
 */
export function jobContainerSpec(input: {
  jobId: string;
  sessionId: string;
  template: JobTemplate;
  image: ImageRef;
  rootless: boolean;
  /** An agent's workspace (absolute) when its policy says `workspace: agent`; else the session's own. */
  agentWorkspace?: { agent: string; path: string };
}): ContainerSpec {
  const { template } = input;
  const proxied = template.network.profile === "restricted" || template.network.profile === "devops";
  return {
    specVersion: 1,
    agent: input.jobId,
    containerName: `claw-job-${input.jobId}`,
    hostname: "claude-job",
    image: input.image,
    ...hardening(input.rootless, template.resources),
    network: {
      profile: template.network.profile,
      mode: podmanNetworkMode(template.network.profile, input.rootless),
      allow: proxied ? [...new Set(template.network.allow)].sort() : [],
      egressProxy: proxied
        ? {
            ...egressProxySpec,
            ...(template.network.mode === "deny"
              ? {}
              : { mode: template.network.mode, askTimeoutSeconds: template.network.askTimeoutSeconds }),
          }
        : null,
    },
    mounts: [
      input.agentWorkspace
        ? {
            source: input.agentWorkspace.path,
            target: "/workspace",
            readOnly: false,
            purpose: `the workspace of the agent ${input.agentWorkspace.agent}`,
          }
        : { source: "workspace", target: "/workspace", readOnly: false, purpose: "the session's workspace" },
      {
        source: "claude",
        target: "/claude",
        readOnly: false,
        purpose: "the session's Claude Code config (CLAUDE_CONFIG_DIR)",
      },
      {
        source: jobPromptDir,
        target: "/run/claw/job",
        readOnly: true,
        purpose: "the job's prompt, read by claw-job-init as Claude Code's stdin",
      },
      ...(proxied ? [egressProxyMount] : []),
      {
        source: modelSocketDir,
        target: "/run/claw/model",
        readOnly: true,
        purpose: "Unix socket of the model gateway (the panel adds the credential)",
      },
    ],
    env: {
      HOME: "/home/claude",
      XDG_CACHE_HOME: "/tmp/.cache",
      CLAUDE_CONFIG_DIR: "/claude",
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      DISABLE_AUTOUPDATER: "1",
      ...(proxied ? egressProxyEnv : {}),
      ...template.env,
      // After the template's: a template cannot point a job elsewhere.
      ANTHROPIC_BASE_URL: `http://${modelGatewayListen}`,
      ANTHROPIC_API_KEY: modelPlaceholderKey,
    },
    secretEnv: [],
    labels: {
      [jobModelLabel]: "proxy",
      [jobLabel]: input.jobId,
      [jobSessionLabel]: input.sessionId,
      "claw.network": template.network.profile,
      "claw.template": template.metadata.name,
    },
    stopTimeoutSeconds: 5,
  };
}

/** Where the job's prompt sits, relative to the session's directory (mounted read-only). */
export const jobPromptDir = "run/job";

/**
 * Pure: the command holds no prompt: an argument would show in every local user's `ps` and
 * `/proc/PID/cmdline`. claw-job-init gives Claude Code the prompt file (written by the panel, mounted
 * read-only) as stdin, which `claude --print` reads when it has no prompt argument.
 */
export function claudeCommand(input: { resume: string | null; model?: string }): string[] {
  return [
    "claw-job-init",
    "claude",
    "--print",
    "--output-format",
    "stream-json",
    "--verbose",
    "--dangerously-skip-permissions",
    ...(input.resume ? ["--resume", input.resume] : []),
    ...(input.model ? ["--model", input.model] : []),
  ];
}

/** Pure: the libpod create body of a job; rootful jobs get an id range Podman picks (`auto`). */
export function jobCreateBody(
  spec: ContainerSpec,
  input: {
    sessionDir: string;
    command: string[];
    secretEnv: Record<string, string>;
    runtimeLabels: Record<string, string>;
    idMapping?: IdMapping;
  },
) {
  const body = libpodCreateBody(spec, {
    agentDir: input.sessionDir,
    idMapping: input.idMapping,
    secretEnv: input.secretEnv,
    runtimeLabels: input.runtimeLabels,
  });
  return {
    ...body,
    // Podman 4.3's libpod API ignores `nsmode: "auto"` alone (the container then shares the host's
    // user namespace: uid 1000 in it is uid 1000 on the host); `AutoUserNs` is what picks a range.
    ...(spec.userns.mode === "auto" && !input.idMapping
      ? {
          userns: { nsmode: "auto", value: `size=${spec.userns.size}` },
          idmappings: { AutoUserNs: true, AutoUserNsOpts: { Size: spec.userns.size } },
        }
      : {}),
    command: input.command,
  };
}
