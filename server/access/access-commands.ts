import { parseLogLine, plainText } from "../../shared/log-lines";
import type { AgentLiveStatus } from "../agents/agent-status";
import type { AuditEventInput } from "../audit/audit-chain";
import { isAppError } from "../errors";
import type { ChannelSubject } from "./channel";
import { type AccessDeps, findGrant, listGrants, revokeGrant } from "./grants";
import type { RateLimiter } from "./rate-limiter";
import type { KnownSecret } from "./redact-secrets";
import { type Role, roleAllows, roles } from "./roles";

/** What commands may do to agents and jobs; the access service wires these to the panel's own services. */
export type AgentOps = {
  status(name: string): AgentLiveStatus | null;
  start(name: string, actor: string): Promise<unknown>;
  stop(name: string, actor: string): Promise<unknown>;
  logs(name: string, lines: number): Promise<string[]>;
  startJob(
    input: { prompt: string; sessionId?: string },
    actor: string,
  ): Promise<{ jobId: string; sessionId: string }>;
  /** Whether a job session can take more jobs (it was not cleaned up). */
  sessionOpen(sessionId: string): Promise<boolean>;
  /** Every credential the panel holds, so the channels can take them out of what they send. */
  secrets(): Promise<KnownSecret[]>;
};

export type CommandDeps = AccessDeps & { agents: AgentOps; limiter: RateLimiter };

type Call = { channel: string; subject: ChannelSubject; actor: string; args: string[]; rest: string };
type Command = {
  role: Role;
  /** A right of its own on the grant, beside the role: `jobs` (run Claude Code from the chat). */
  right?: "jobs";
  usage: string;
  help: string;
  /** Commands that act on one agent name it first; the grant on it is checked before `run`. */
  agent: boolean;
  run(deps: CommandDeps, call: Call, agent: string): Promise<string>;
};

/** Telegram's message limit is 4096; replies stay well under it whatever the channel. */
export const maxReplyChars = 3500;
const defaultLogLines = 20;
const maxLogLines = 100;

export function clip(text: string, max = maxReplyChars): string {
  return text.length <= max ? text : `…${text.slice(-(max - 1))}`;
}

function describeStatus(name: string, live: AgentLiveStatus | null): string {
  if (!live) return `${name}: status not known yet (the panel is still looking at Podman)`;
  const lines = [
    `${name}: ${live.state}${live.state === "running" && !live.ready ? " (Gateway starting)" : ""}`,
  ];
  if (live.startedAt && live.state === "running")
    lines.push(`up since ${live.startedAt.replace(/\.\d+Z$/, "Z")}`);
  if (live.exitCode !== null && live.state !== "running") lines.push(`exit code ${live.exitCode}`);
  if (live.cpuPercent !== null) lines.push(`CPU ${live.cpuPercent.toFixed(1)} %`);
  if (live.memoryBytes !== null) lines.push(`memory ${(live.memoryBytes / 2 ** 20).toFixed(0)} MiB`);
  if (live.note) lines.push(live.note);
  return lines.join("\n");
}

const commands: Record<string, Command> = {
  agents: {
    role: "viewer",
    usage: "/agents",
    help: "the agents you can reach, with their state",
    agent: false,
    async run(deps, call) {
      const grants = await deps.db.accessGrant.findMany({
        where: { channel: call.channel, subjectId: call.subject.id },
        orderBy: { agent: "asc" },
      });
      return grants
        .map(
          (grant) => `${grant.agent} (${grant.role}): ${deps.agents.status(grant.agent)?.state ?? "unknown"}`,
        )
        .join("\n");
    },
  },
  status: {
    role: "viewer",
    usage: "/status NAME",
    help: "state, uptime, CPU and memory",
    agent: true,
    run: async (deps, _call, agent) => describeStatus(agent, deps.agents.status(agent)),
  },
  start: {
    role: "operator",
    usage: "/start NAME",
    help: "start the agent",
    agent: true,
    async run(deps, call, agent) {
      await deps.agents.start(agent, call.actor);
      return `${agent} started.`;
    },
  },
  stop: {
    role: "operator",
    usage: "/stop NAME",
    help: "stop the agent",
    agent: true,
    async run(deps, call, agent) {
      await deps.agents.stop(agent, call.actor);
      return `${agent} stopped.`;
    },
  },
  logs: {
    role: "operator",
    usage: `/logs NAME [LINES]`,
    help: `the last lines of its output (${defaultLogLines} unless given, at most ${maxLogLines})`,
    agent: true,
    async run(deps, call, agent) {
      const wanted = Number.parseInt(call.args[1] ?? "", 10);
      const count = Number.isFinite(wanted) ? Math.min(Math.max(wanted, 1), maxLogLines) : defaultLogLines;
      // Agent output is untrusted: escape sequences and other control characters are dropped.
      const lines = (await deps.agents.logs(agent, count)).map((raw, index) => {
        const line = parseLogLine(raw, index);
        const text = plainText(line.text);
        return line.time ? `${line.time.slice(11, 19)} ${text}` : text;
      });
      if (lines.length === 0) return `${agent} has no output yet.`;
      return clip(`Last ${lines.length} lines of ${agent}:\n${lines.join("\n")}`);
    },
  },
  job: {
    role: "viewer",
    right: "jobs",
    usage: "/job NAME PROMPT",
    help: "run a Claude Code job in its own container (not inside NAME; your jobs on NAME continue one conversation); you are told when it ends",
    agent: true,
    async run(deps, call, agent) {
      const prompt = call.rest.trim();
      if (!prompt) return `Usage: /job ${agent} PROMPT`;
      const grant = await findGrant(deps.db, call.channel, call.subject.id, agent);
      if (!grant) return `You have no access to an agent called "${agent.slice(0, 40)}".`;
      // The quota counts the jobs this grant's holder started on this agent in the last hour.
      const since = new Date(Date.now() - 3_600_000);
      const started = await deps.db.auditEvent.findMany({
        where: { action: `${call.channel}_job_started`, actor: call.actor, agent, time: { gte: since } },
        select: { time: true },
        orderBy: { id: "asc" },
      });
      if (started.length >= grant.jobsPerHour) {
        const oldest = started[started.length - grant.jobsPerHour]?.time ?? new Date();
        const minutes = Math.max(1, Math.ceil((oldest.getTime() + 3_600_000 - Date.now()) / 60_000));
        throw new QuotaError(
          `you started ${started.length} jobs on ${agent} in the last hour, the most your access allows is ${grant.jobsPerHour}. Try again in ${minutes} min.`,
        );
      }
      const previous = grant.jobSessionId;
      const sessionId = previous && (await deps.agents.sessionOpen(previous)) ? previous : undefined;
      const job = await deps.agents.startJob({ prompt, sessionId }, call.actor);
      await deps.db.accessGrant.update({ where: { id: grant.id }, data: { jobSessionId: job.sessionId } });
      await deps.audit.record({
        category: "access",
        action: `${call.channel}_job_started`,
        actor: call.actor,
        agent,
        outcome: "ok",
        details: {
          job: job.jobId,
          session: job.sessionId,
          grant: grant.id,
          inLastHour: started.length + 1,
          jobsPerHour: grant.jobsPerHour,
        },
      });
      return `Job ${job.jobId} queued${sessionId ? " (continuing your conversation)" : ""}. I will tell you when it ends.`;
    },
  },
  access: {
    role: "admin",
    usage: "/access NAME",
    help: "who has access to the agent",
    agent: true,
    async run(deps, _call, agent) {
      const grants = await listGrants(deps.db, { agent });
      return [
        `Access to ${agent}:`,
        ...grants.map(
          (grant) =>
            `${grant.channel} ${grant.subjectId}${grant.subjectName ? ` (${grant.subjectName})` : ""}: ${grant.role}`,
        ),
      ].join("\n");
    },
  },
  revoke: {
    role: "admin",
    usage: "/revoke NAME USER_ID",
    help: "take someone's access to the agent away",
    agent: true,
    async run(deps, call, agent) {
      const subjectId = call.args[1];
      if (!subjectId) return `Usage: /revoke ${agent} USER_ID (see /access ${agent})`;
      await revokeGrant(deps, { channel: call.channel, agent, subjectId, actor: call.actor });
      return `Revoked ${call.channel} user ${subjectId}'s access to ${agent}.`;
    },
  },
};

/** A command refused by a limit on the grant: said to the person as is, audited as denied. */
class QuotaError extends Error {}

function helpFor(role: string, jobs: boolean): string {
  const lines = Object.values(commands)
    .filter((command) => roleAllows(role, command.role) && (command.right !== "jobs" || jobs))
    .map((command) => `${command.usage}: ${command.help}`);
  return ["What you can do here:", ...lines, "/help: this list"].join("\n");
}

/** The commands a channel can register for its menu (e.g. Telegram's setMyCommands). */
export function commandMenu(): { command: string; description: string }[] {
  return [
    ...Object.entries(commands).map(([command, spec]) => ({
      command,
      description: `${spec.help} (${spec.right ? `${spec.right} right` : spec.role})`,
    })),
    { command: "help", description: "what you can do" },
  ];
}

/**
 * Answers one message. Anyone without a grant gets nothing back (not even whether an agent
 * exists), and is audited; people with grants get answers within their role on each agent. Every
 * command is audited with its outcome; each sender has a rate limit.
 */
export async function handleMessage(
  deps: CommandDeps,
  channel: string,
  subject: ChannelSubject,
  command: string,
  text: string,
): Promise<string | undefined> {
  const actor = `${channel}:${subject.id}`;
  const audit = (event: Pick<AuditEventInput, "action" | "outcome" | "agent" | "details">) =>
    deps.audit.record({ category: "access", actor, ...event });
  const limited = deps.limiter.take(actor);
  const grants = await deps.db.accessGrant.findMany({ where: { channel, subjectId: subject.id } });
  if (limited !== "ok") {
    if (limited === "limited")
      await audit({
        action: `${channel}_rate_limited`,
        outcome: "denied",
        agent: null,
        details: { command },
      });
    return limited === "limited" && grants.length > 0
      ? `Too many messages: wait ${deps.limiter.waitSeconds(actor)} s and try again.`
      : undefined;
  }
  if (grants.length === 0) {
    await audit({
      action: `${channel}_message_refused`,
      outcome: "denied",
      agent: null,
      details: { reason: "no grant", command: command.slice(0, 40), subjectName: subject.name ?? null },
    });
    return undefined;
  }
  const best = roles.findLast((role) => grants.some((grant) => grant.role === role)) ?? "viewer";
  const anyJobs = grants.some((grant) => grant.jobs);
  const words = text.trim().split(/\s+/).filter(Boolean);
  // A bare /start is how a chat with a bot begins: it gets the help, not "usage: /start NAME".
  const spec =
    Object.hasOwn(commands, command) && !(command === "start" && words.length === 0)
      ? commands[command]
      : undefined;
  if (!spec)
    return command === "help" || command === "start"
      ? helpFor(best, anyJobs)
      : `Unknown command. ${helpFor(best, anyJobs)}`;
  const call: Call = { channel, subject, actor, args: words, rest: text.trim().replace(/^\S+\s*/, "") };
  const agent = spec.agent ? words[0] : undefined;
  if (spec.agent && !agent) return `Usage: ${spec.usage}`;
  const grant = agent ? grants.find((candidate) => candidate.agent === agent) : undefined;
  // A command on an agent needs the role on that agent; one without (/agents) any grant's.
  const allowed = agent
    ? grant !== undefined && roleAllows(grant.role, spec.role)
    : roleAllows(best, spec.role);
  const refused =
    agent && !grant
      ? "no grant"
      : !allowed
        ? "role"
        : spec.right === "jobs" && !grant?.jobs
          ? "no jobs right"
          : undefined;
  const details = { command, role: grant?.role ?? best, needs: spec.right ?? spec.role };
  if (refused) {
    await audit({
      action: `${channel}_command`,
      outcome: "denied",
      agent: grant ? agent : null,
      details: { ...details, reason: refused },
    });
    // The same words whether the agent exists or not: a grant on one agent says nothing of others.
    if (refused === "no grant")
      return `You have no access to an agent called "${agent?.slice(0, 40)}". /agents lists yours.`;
    if (refused === "no jobs right")
      return `${spec.usage} needs the right to run jobs on ${agent}, which your access does not have. The panel's operator can grant it.`;
    return `${spec.usage} needs the ${spec.role} role; yours${agent ? ` on ${agent}` : ""} is ${grant?.role ?? best}.`;
  }
  try {
    const reply = await spec.run(deps, call, agent ?? "");
    await audit({ action: `${channel}_command`, outcome: "ok", agent: agent ?? null, details });
    return reply;
  } catch (error) {
    if (error instanceof QuotaError) {
      await audit({
        action: `${channel}_command`,
        outcome: "denied",
        agent: agent ?? null,
        details: { ...details, reason: "quota", error: error.message },
      });
      return `/${command} refused: ${error.message}`;
    }
    const message = isAppError(error)
      ? error.message
      : "something went wrong (the panel's log has the details)";
    if (!isAppError(error)) console.error(`claw: ${channel} command /${command} failed:`, error);
    await audit({
      action: `${channel}_command`,
      outcome: "error",
      agent: agent ?? null,
      details: { ...details, error: message },
    });
    return `/${command} failed: ${message}`;
  }
}
