/** Pure: how the panel words the jobs an agent starts itself (its policy's `jobs` section). */

import type { AgentJobQuota } from "./job-types";

/** "2 of 2 at a time · 5 of 20 this hour"; without a policy, only what is in use. */
export function quotaSummary({ policy, active, lastHour }: AgentJobQuota): string {
  if (!policy) return `${active} running or waiting · ${lastHour} this hour`;
  return `${active} of ${policy.maxConcurrent} at a time · ${lastHour} of ${policy.maxPerHour} this hour`;
}

/** Why the agent's next start would be refused now, or null while it has room. */
export function quotaRefusal({ policy, active, lastHour }: AgentJobQuota): string | null {
  if (!policy) return null;
  if (active >= policy.maxConcurrent)
    return "At its limit: the next job it starts is refused until one of these ends or is cancelled.";
  if (lastHour >= policy.maxPerHour)
    return "At its hourly limit: the next job it starts is refused until an hour has passed since the oldest of these.";
  return null;
}

/** Where the jobs may connect, as the policy's network section says. */
export function jobsNetworkText(network: { profile: string; allow: string[] }): string {
  const { profile, allow } = network;
  if (profile === "none") return "none: only the model gateway";
  if (profile === "full") return "full: the whole network, unrecorded";
  const hosts = allow.length ? allow.join(", ") : "nothing else";
  return `${profile}: the model gateway and ${hosts}, through the egress proxy`;
}

/** What the jobs work on: the agent's own workspace, or a fresh one per session. */
export function jobsWorkspaceText(workspace: string, agent: string): string {
  return workspace === "agent"
    ? `${agent}'s workspace: its jobs read and write the agent's /workspace`
    : "a fresh workspace per session, apart from the agent's";
}

/** "works on NAME's workspace" for a job of an agent's session on the agent's workspace, else null. */
export function workspaceNote(session: { agent: string | null; workspace: string }): string | null {
  return session.agent && session.workspace === "agent" ? `works on ${session.agent}'s workspace` : null;
}

/** A person's job may not join an agent's session: the sessions a person can pick. */
export function personSessions<Session extends { agent: string | null }>(sessions: Session[]): Session[] {
  return sessions.filter((session) => session.agent === null);
}
