import { type AgentJobsPolicy, agentApiMount, agentJobsOf } from "./agent-jobs";
import { type HostFacts, type ImageRef, secretEnvNames } from "./compile-inputs";
import { expandPresets } from "./egress-presets";
import { type ModelRoute, modelGatewayListen, modelSocketDir, providerDefaults } from "./model-route";
import type { EgressMode, NetworkProfile, Template } from "./template-schema";

/** Re-exported: agents/ and jobs/ take them from here with the spec. */

export type SpecMount = {
  /**
   * Relative to the agent's directory (CLAW_HOME/agents/<name>/), so the spec does not depend on where
   * that is. Absolute only for a job on an agent's workspace (resolved with `resolve`, not `join`).
   */
  source: string;
  target: string;
  readOnly: boolean;
  /** What it is for, in the explanation and the Policy tab. */
  purpose: string;
};

/** Every setting the container gets; the conformance check compares the live container with it. */
export type ContainerSpec = {
  specVersion: 1;
  agent: string;
  containerName: string;
  /** Stable: OpenClaw keys its owner lease by host name, so a restart after a crash is not refused. */
  hostname: string;
  image: ImageRef;
  user: string;
  userns: { mode: "keep-id"; uid: number; gid: number } | { mode: "auto"; size: number };
  capDrop: ["ALL"];
  capAdd: [];
  noNewPrivileges: true;
  readOnlyRootfs: true;
  seccomp: "default";
  tmpfs: Record<string, string>;
  resources: { memoryBytes: number; memorySwapBytes: number; nanoCpus: number; pidsLimit: number };
  network: {
    profile: NetworkProfile;
    /** Podman network mode: `none` for all but `full`. */
    mode: "none" | "bridge" | "slirp4netns";
    /** The hosts the proxy lets through: the template's own and its presets', expanded. */
    allow: string[];
    /** The presets the allowlist was expanded from (absent when none). */
    presets?: string[];
    /**
     * `restricted`/`devops`: the allowlist proxy's socket dir and the forwarder's address inside,
     * and what it does with a host off the list (absent: deny); null otherwise.
     */
    egressProxy: {
      socketDir: string;
      listen: string;
      mode?: Exclude<EgressMode, "deny">;
      askTimeoutSeconds?: number;
    } | null;
  };
  /**
   * The model the agent may use and where the panel's model gateway sends it, with the secret it adds
   * there (never in the container). Absent in specs compiled before the gateway existed.
   */
  model?: ModelRoute & { socketDir: string; listen: string };
  /** The Claude Code jobs the agent may start through its agent API; absent or null: none (no socket). */
  jobs?: AgentJobsPolicy | null;
  mounts: SpecMount[];
  env: Record<string, string>;
  /** Names only: values are read from CLAW_HOME at start and never written into a spec or lock. */
  secretEnv: string[];
  /** The secret (`claw secrets`) each env secret but the Gateway token is read from at start. */
  secretSources?: Record<string, string>;
  labels: Record<string, string>;
  stopTimeoutSeconds: number;
};

export const agentUid = 1000;
const proxyListen = "127.0.0.1:3128";

/** `restricted`/`devops` (agents and jobs): where the egress proxy's socket is, inside and out. */
export const egressProxySpec = { socketDir: "run/egress", listen: proxyListen };
export const egressProxyMount: SpecMount = {
  source: "run/egress",
  target: "/run/claw/egress",
  readOnly: true,
  purpose: "Unix socket of the egress proxy",
};
/** What points programs at the forwarder inside the container. */
export const egressProxyEnv: Record<string, string> = {
  HTTP_PROXY: `http://${proxyListen}`,
  HTTPS_PROXY: `http://${proxyListen}`,
  NO_PROXY: "localhost,127.0.0.1",
};

/** The template's model section as a route: the provider's API and secret unless it names others. */
export function modelRouteOf(template: Template): ModelRoute {
  const { provider, id, baseUrl, secret, budget } = template.openclaw.model;
  const defaults = providerDefaults[provider];
  return {
    provider,
    model: id,
    upstream: baseUrl ?? defaults.upstream,
    secret: secret === undefined ? defaults.secret : secret,
    budget: {
      tokensPerDay: budget.tokensPerDay ?? null,
      requestsPerMinute: budget.requestsPerMinute ?? null,
    },
  };
}

export const modelGatewayMount: SpecMount = {
  source: modelSocketDir,
  target: "/run/claw/model",
  readOnly: true,
  purpose: "Unix socket of the panel's model gateway (it adds the credential)",
};

/** Podman's network mode for a profile: none unless `full` (the proxy is the way out of the others). */
export function podmanNetworkMode(
  profile: NetworkProfile,
  rootless: boolean,
): ContainerSpec["network"]["mode"] {
  if (profile !== "full") return "none";
  return rootless ? "slirp4netns" : "bridge";
}

/**
 * What every container claw runs gets, agent or job: user 1000 in its own user namespace, no
 * capabilities, no new privileges, the default seccomp filter, a read-only root with a tmpfs
 * /tmp, and memory (no swap beyond it), CPU and process limits.
 */
export function hardening(
  rootless: boolean,
  resources: { memory: number; cpus: number; pids: number },
): Pick<
  ContainerSpec,
  | "user"
  | "userns"
  | "capDrop"
  | "capAdd"
  | "noNewPrivileges"
  | "readOnlyRootfs"
  | "seccomp"
  | "tmpfs"
  | "resources"
> {
  return {
    user: `${agentUid}:${agentUid}`,
    userns: rootless ? { mode: "keep-id", uid: agentUid, gid: agentUid } : { mode: "auto", size: 65_536 },
    capDrop: ["ALL"],
    capAdd: [],
    noNewPrivileges: true,
    readOnlyRootfs: true,
    seccomp: "default",
    tmpfs: { "/tmp": "rw,nosuid,nodev,size=512m" },
    resources: {
      memoryBytes: resources.memory,
      memorySwapBytes: resources.memory,
      nanoCpus: Math.round(resources.cpus * 1e9),
      pidsLimit: resources.pids,
    },
  };
}

/** A pure function of its inputs: the same template, name, image and host give the same spec. */
export function compileContainerSpec(input: {
  template: Template;
  agent: string;
  image: ImageRef;
  host: HostFacts;
}): ContainerSpec {
  const { template, agent, image, host } = input;
  const { network, resources, mounts } = template.container;
  const proxied = network.profile === "restricted" || network.profile === "devops";
  const secretSources: Record<string, string> = Object.fromEntries([
    ...(template.openclaw.channels.telegram ? [[secretEnvNames.telegramBotToken, "telegram-bot-token"]] : []),
    ...template.container.secrets.map((secret) => [secret.env, secret.secret]),
  ]);
  const jobs = agentJobsOf(template);
  const proxyEnv: Record<string, string> = proxied
    ? {
        ...egressProxyEnv,
        NODE_USE_ENV_PROXY: "1",
        OPENCLAW_PROXY_URL: `http://${proxyListen}`,
      }
    : {};
  return {
    specVersion: 1,
    agent,
    containerName: `claw-agent-${agent}`,
    hostname: agent,
    image,
    ...hardening(host.rootless, resources),
    network: {
      profile: network.profile,
      mode: podmanNetworkMode(network.profile, host.rootless),
      allow: expandPresets(network.allow, network.presets),
      ...(network.presets.length > 0 ? { presets: [...network.presets].sort() } : {}),
      egressProxy: proxied
        ? {
            ...egressProxySpec,
            ...(network.mode === "deny"
              ? {}
              : { mode: network.mode, askTimeoutSeconds: network.askTimeoutSeconds }),
          }
        : null,
    },
    model: { ...modelRouteOf(template), socketDir: modelSocketDir, listen: modelGatewayListen },
    jobs,
    mounts: [
      {
        source: "workspace",
        target: "/workspace",
        readOnly: mounts.workspace === "ro",
        purpose: "the agent's workspace",
      },
      {
        source: "state",
        target: "/home/agent/.openclaw",
        readOnly: mounts.state === "ro",
        purpose: "OpenClaw's state (sessions, memory)",
      },
      {
        source: "openclaw.json",
        target: "/etc/claw/openclaw.json",
        readOnly: true,
        purpose: "the compiled OpenClaw config",
      },
      {
        source: "run/ingress",
        target: "/run/claw/ingress",
        readOnly: true,
        purpose: "Unix socket of the panel that the Gateway bridge dials",
      },
      ...(proxied ? [egressProxyMount] : []),
      modelGatewayMount,
      ...(jobs ? [agentApiMount] : []),
    ],
    env: {
      ...template.container.env,
      HOME: "/home/agent",
      XDG_CACHE_HOME: "/tmp/.cache",
      OPENCLAW_CONFIG_PATH: "/etc/claw/openclaw.json",
      // Else OpenClaw writes beside the config, which is mounted read-only.
      OPENCLAW_STATE_DIR: "/home/agent/.openclaw",
      OPENCLAW_CONFIG_READONLY: "1",
      ...proxyEnv,
    },
    // The hooks token lets the panel tell the agent's Gateway that a job ended (the panel holds it).
    secretEnv: [
      ...new Set([
        secretEnvNames.gatewayToken,
        ...(jobs ? [secretEnvNames.hooksToken] : []),
        ...Object.keys(secretSources),
      ]),
    ].sort(),
    secretSources,
    labels: {
      "claw.agent": agent,
      "claw.network": network.profile,
      "claw.template": template.metadata.name,
    },
    stopTimeoutSeconds: 20,
  };
}
