import type { SpecMount } from "./compile-container-spec";
import type { EgressMode, NetworkProfile, Template } from "./template-schema";

/**
 * Pure: what an agent may hand to Claude Code, as its signed container spec holds it. The agent asks
 * through its agent API: a Unix socket the panel listens on in `run/api`, mounted read-only at
 * /run/claw/api. The panel knows the agent by the socket the request came in on; no token is given.
 */
export type AgentJobsPolicy = {
  template: string;
  maxConcurrent: number;
  maxPerHour: number;
  workspace: "agent" | "session";
  /** The jobs' network; `mode` and `askTimeoutSeconds` only when hosts off the list are not simply denied. */
  network: {
    profile: NetworkProfile;
    allow: string[];
    mode?: Exclude<EgressMode, "deny">;
    askTimeoutSeconds?: number;
  };
  socketDir: string;
};

export const agentApiSocketDir = "run/api";
export const agentApiSocketName = "agent.sock";
const agentApiDirInContainer = "/run/claw/api";
/** Where the plugin finds the socket inside the container. */
export const agentApiSocketInContainer = `${agentApiDirInContainer}/${agentApiSocketName}`;
/** The plugin in the agent image that gives the agent the claude_code_* tools. */
export const claudeCodePluginId = "claw-claude-code";
export const claudeCodePluginPath = "/opt/claw/openclaw-plugins/claw-claude-code";
export const claudeCodeTools = [
  "claude_code_start",
  "claude_code_status",
  "claude_code_output",
  "claude_code_cancel",
  "claude_code_cleanup",
  "claude_code_sessions",
] as const;

export const agentApiMount: SpecMount = {
  source: agentApiSocketDir,
  target: agentApiDirInContainer,
  readOnly: true,
  purpose: "Unix socket of the panel's agent API (Claude Code jobs within its policy)",
};

/** The template's `jobs` section as the spec holds it; null when the agent may start none. */
export function agentJobsOf(template: Template): AgentJobsPolicy | null {
  const { jobs } = template;
  if (!jobs.enabled) return null;
  return {
    template: jobs.template,
    maxConcurrent: jobs.maxConcurrent,
    maxPerHour: jobs.maxPerHour,
    workspace: jobs.workspace,
    network: {
      profile: jobs.network.profile,
      allow: [...new Set(jobs.network.allow)].sort(),
      ...(jobs.network.mode === "deny"
        ? {}
        : { mode: jobs.network.mode, askTimeoutSeconds: jobs.network.askTimeoutSeconds }),
    },
    socketDir: agentApiSocketDir,
  };
}

/** Pure: one sentence, e.g. "start up to 2 Claude Code jobs at a time (10 an hour) on its workspace; they reach only the model gateway". */
export function describeAgentJobs(jobs: AgentJobsPolicy): string {
  const where = jobs.workspace === "agent" ? "on its workspace" : "each session in a fresh workspace";
  const { profile, allow } = jobs.network;
  const reach =
    profile === "none"
      ? "they reach only the model gateway"
      : profile === "full"
        ? "they reach the whole network"
        : `they reach only the model gateway and ${allow.length > 0 ? allow.join(", ") : "no listed host"} through the egress proxy${
            jobs.network.mode === "ask"
              ? `, and a person is asked about any other host (the connection waits up to ${jobs.network.askTimeoutSeconds ?? 60} s)`
              : jobs.network.mode === "learn"
                ? ", and while LEARNING every other host is let through and recorded"
                : ""
          }`;
  return `start up to ${jobs.maxConcurrent} Claude Code job${jobs.maxConcurrent === 1 ? "" : "s"} at a time (${jobs.maxPerHour} an hour, job template "${jobs.template}") ${where}; ${reach}`;
}
