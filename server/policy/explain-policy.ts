import { claudeCodeTools, describeAgentJobs } from "./agent-jobs";
import type { ContainerSpec } from "./compile-container-spec";
import { secretEnvNames } from "./compile-inputs";
import { toolPolicyOf } from "./compile-openclaw-config";
import { type EgressPreset, egressPresets } from "./egress-presets";
import { describeRoute } from "./model-route";

export type ExplanationSection = { title: string; can: string[]; cannot: string[]; warnings: string[] };
export type PolicyExplanation = { summary: string; sections: ExplanationSection[] };

const enforced = "through the panel's egress proxy (enforced; every connection is in the audit log)";
export const learningWarning =
  "LEARNING: every host is let through and recorded for review — not containment";

/** Pure: one allowlist entry in words, e.g. `GET requests to http://host/path* (plain HTTP only)`. */
export function describeEgressRule(rule: string): string {
  const http = /^(\S+) (http:\/\/\S+)$/.exec(rule);
  if (http) {
    const requests = http[1] === "*" ? "requests of any method" : `${http[1]} requests`;
    return `${requests} to ${http[2]} (plain HTTP only)`;
  }
  return rule.includes(":") ? rule : `${rule} (ports 443 and 80)`;
}

/**
 * Pure: the allowlist as "can" lines, each preset once with its hosts spelled out and the other
 * entries one by one. Read from the spec (the lock signs the hosts): a host is shown under a
 * preset only if the spec has it.
 */
function allowLines(network: ContainerSpec["network"]): string[] {
  const allow = new Set(network.allow);
  const shown = new Set<string>();
  const presets = (network.presets ?? []).flatMap((name) => {
    const hosts: readonly string[] = egressPresets[name as EgressPreset] ?? [];
    const listed = hosts.filter((host) => allow.has(host));
    if (listed.length === 0) return [];
    for (const host of listed) shown.add(host);
    return [`reach ${name} (preset): ${listed.join(", ")} (ports 443 and 80) ${enforced}`];
  });
  const rest = network.allow
    .filter((rule) => !shown.has(rule))
    .map((rule) => `${rule.includes(" http://") ? "send" : "reach"} ${describeEgressRule(rule)} ${enforced}`);
  return [...presets, ...rest];
}

/** The network section: what the profile allows and, behind the proxy, what the egress mode does off the list. */
function explainNetwork(network: ContainerSpec["network"]): ExplanationSection {
  if (network.profile === "none")
    return {
      title: "Network",
      can: [],
      cannot: [
        "reach any network: the container has no network interface (enforced by Podman); its model is a service of the panel, not the network",
      ],
      warnings: [],
    };
  if (network.profile === "full")
    return {
      title: "Network",
      can: ["reach any host on the internet and your local network directly"],
      cannot: [],
      warnings: ["full network: nothing limits where this agent connects"],
    };
  const proxy = network.egressProxy;
  const mode = proxy?.mode ?? "deny";
  const offList =
    mode === "ask"
      ? [
          `reach another host only when a person allows it: a person is asked live about any other host; the connection waits up to ${proxy?.askTimeoutSeconds ?? 60} s, and is refused if no one answers (egress mode ask)`,
        ]
      : mode === "learn"
        ? [`reach any other host ${enforced}: it is let through and recorded for review (egress mode learn)`]
        : [];
  return {
    title: "Network",
    can: [...allowLines(network), ...offList],
    cannot: [
      ...(mode === "deny" ? ["reach any other host: hosts off the list are refused (egress mode deny)"] : []),
      "connect around the proxy (to an IP address, DNS or this machine's services directly): the container has no network interface of its own",
      "reach this machine or a private network through any name: the proxy resolves names itself and refuses such addresses",
    ],
    warnings: mode === "learn" ? [learningWarning] : [],
  };
}

/** The one-line summary of a proxied agent, by its egress mode. */
function summarizeProxied(network: ContainerSpec["network"]): string {
  const mode = network.egressProxy?.mode ?? "deny";
  if (mode === "learn") return `${learningWarning}.`;
  const count = network.allow.length;
  const hosts = `${count} allowlisted host${count === 1 ? "" : "s"}`;
  if (mode === "ask")
    return count === 0
      ? "Reaches no host unless a person allows it live, under strict isolation."
      : `Reaches ${hosts}, and others only when a person allows them live, under strict isolation.`;
  return `Reaches only ${hosts}, under strict isolation.`;
}

const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(bytes % 1024 ** 3 === 0 ? 0 : 1)} GiB`;

/** A plain-language account of what the agent can and cannot do, read from the compiled artifacts only. */
export function explainPolicy(input: { containerSpec: unknown; openclawConfig: unknown }): PolicyExplanation {
  const spec = input.containerSpec as ContainerSpec;
  const tools = toolPolicyOf(input.openclawConfig);
  const workspace = spec.mounts.find((mount) => mount.target === "/workspace");
  const network = spec.network;

  const toolSection: ExplanationSection = tools
    ? {
        title: "Tools",
        can: [
          `use the "${tools.profile}" tool profile`,
          ...tools.allow
            .filter((tool) => tool !== "exec" && !(claudeCodeTools as readonly string[]).includes(tool))
            .map((tool) => `use ${tool}`),
          ...(tools.execMode === "ask" ? ["run shell commands, each after a person approves it"] : []),
          ...(tools.execMode === "full" ? ["run shell commands"] : []),
        ],
        cannot: [
          ...(tools.execMode === "deny" ? ["run shell commands"] : []),
          ...tools.deny.filter((tool) => tool !== "exec").map((tool) => `use ${tool}`),
        ],
        warnings: tools.execMode === "full" ? ["runs shell commands without asking"] : [],
      }
    : {
        title: "Tools",
        can: [],
        cannot: [],
        warnings: ["openclaw.json has no tools policy that claw can read"],
      };

  const files: ExplanationSection = {
    title: "Files",
    can: [
      workspace?.readOnly ? "read its workspace (/workspace)" : "read and write its workspace (/workspace)",
      "write temporary files in /tmp (in memory, gone on restart; setuid programs there gain nothing)",
    ],
    cannot: [
      ...(workspace?.readOnly ? ["change anything in its workspace"] : []),
      "change its own root filesystem (read-only)",
      "see your home directory, SSH keys, or the Podman or Docker socket (nothing else is mounted)",
      "change its compiled OpenClaw config (mounted read-only)",
    ],
    warnings: [],
  };

  const networkSection = explainNetwork(network);

  const route = spec.model;
  const modelSection: ExplanationSection = route
    ? {
        title: "Model",
        can: [
          `use ${describeRoute(route)}, only through the panel's model gateway (every request metered and in the audit log)`,
          ...(route.budget.tokensPerDay !== null
            ? [`spend up to ${route.budget.tokensPerDay} tokens a day`]
            : []),
          ...(route.budget.requestsPerMinute !== null
            ? [`send up to ${route.budget.requestsPerMinute} model requests a minute`]
            : []),
        ],
        cannot: [
          route.secret
            ? `read the model credential (the secret ${route.secret}): the panel adds it outside the container`
            : "use a credential: the model server needs none",
          ...(route.model ? [`use any other model than ${route.model}`] : []),
        ],
        warnings: [],
      }
    : {
        title: "Model",
        can: [],
        cannot: ["reach a model: it was compiled before the panel's model gateway (create it again)"],
        warnings: ["no model route"],
      };

  const jobsSection: ExplanationSection = spec.jobs
    ? {
        title: "Claude Code jobs",
        can: [
          describeAgentJobs(spec.jobs),
          "see, page through and cancel the jobs it started, and no one else's",
        ],
        cannot: [
          `start more than ${spec.jobs.maxConcurrent} at a time or ${spec.jobs.maxPerHour} an hour`,
          "reach any other panel function through its agent API, or give its jobs a credential: the model gateway adds it",
        ],
        warnings: [],
      }
    : {
        title: "Claude Code jobs",
        can: [],
        cannot: ["start Claude Code jobs: its policy allows none (it has no agent API socket)"],
        warnings: [],
      };

  // The Gateway's own tokens are the container's to hold; any other env secret is the agent's to read.
  const ownTokens: string[] = [secretEnvNames.gatewayToken, secretEnvNames.hooksToken];
  const envSecrets = spec.secretEnv.filter((name) => !ownTokens.includes(name));
  const secretsSection: ExplanationSection[] =
    envSecrets.length > 0
      ? [
          {
            title: "Secrets",
            can: envSecrets.map(
              (name) => `read the value of ${name}: it is given to the agent as an environment variable`,
            ),
            cannot: [],
            warnings: [`the agent can read ${envSecrets.join(", ")}`],
          },
        ]
      : [];

  const limits: ExplanationSection = {
    title: "Limits and isolation",
    can: [
      `use up to ${gib(spec.resources.memoryBytes)} of memory, ${spec.resources.nanoCpus / 1e9} CPUs and ${spec.resources.pidsLimit} processes`,
    ],
    cannot: [
      "gain privileges: all Linux capabilities dropped, no-new-privileges, default seccomp filter",
      `act as root on this machine: it runs as uid ${spec.user.split(":")[0]} in ${spec.userns.mode === "auto" ? "its own user namespace range" : "a user namespace mapped to your user"}`,
    ],
    warnings: [],
  };

  const reach: ExplanationSection = {
    title: "Who can reach it",
    can: [
      "you, through this panel (logged in): its Gateway listens only on the container's own loopback, bridged by a Unix socket the panel owns",
    ],
    cannot: ["anyone on your network: no port is published"],
    warnings: tools?.telegram ? ["Telegram users you pair can message it"] : [],
  };

  const summary =
    network.profile === "none"
      ? "Works offline on its workspace under strict isolation."
      : network.profile === "full"
        ? "Has the whole network: use only for trusted work."
        : summarizeProxied(network);
  return {
    summary,
    sections: [
      toolSection,
      modelSection,
      jobsSection,
      ...secretsSection,
      files,
      networkSection,
      limits,
      reach,
    ],
  };
}
