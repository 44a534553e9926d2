import { claudeCodeTools, describeAgentJobs } from "./agent-jobs";
import type { ContainerSpec } from "./compile-container-spec";
import { secretEnvNames } from "./compile-inputs";
import { toolPolicyOf } from "./compile-openclaw-config";
import { describeRoute } from "./model-route";

export type ExplanationSection = { title: string; can: string[]; cannot: string[]; warnings: string[] };
export type PolicyExplanation = { summary: string; sections: ExplanationSection[] };

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

  const networkSection: ExplanationSection =
    network.profile === "none"
      ? {
          title: "Network",
          can: [],
          cannot: [
            "reach any network: the container has no network interface (enforced by Podman); its model is a service of the panel, not the network",
          ],
          warnings: [],
        }
      : network.profile === "full"
        ? {
            title: "Network",
            can: ["reach any host on the internet and your local network directly"],
            cannot: [],
            warnings: ["full network: nothing limits where this agent connects"],
          }
        : {
            title: "Network",
            can: network.allow.map(
              (rule) =>
                `reach ${rule}${rule.includes(":") ? "" : " (ports 443 and 80)"} through the panel's egress proxy (enforced; every connection is in the audit log)`,
            ),
            cannot: [
              "reach any other host, any IP address directly, DNS, or this machine's services: the container has no network interface of its own, and the proxy refuses everything else",
              "reach this machine or a private network through an allowed name: the proxy resolves names itself and refuses such addresses",
            ],
            warnings: [],
          };

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
        : `Reaches only ${network.allow.length} allowlisted host${network.allow.length === 1 ? "" : "s"}, under strict isolation.`;
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
