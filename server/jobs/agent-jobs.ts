import type { Db } from "../db/client";
import { AppError } from "../errors";
import type { AgentJobsPolicy } from "../policy/agent-jobs";
import { createSerialQueue } from "../serial-queue";
import { readEventLines } from "./job-files";
import { maxPromptChars } from "./job-queue";
import type { JobService } from "./job-service";
import { pageBytes, transcriptOf } from "./job-transcript";

/**
 * What an agent may do with Claude Code jobs through its agent API: start them within its signed
 * policy's quotas, and see, page through, cancel and clean up its own, never another's. A job or
 * session of someone else is "not found", exactly as one that does not exist.
 */
export type AgentJobsDeps = { db: Db; jobs: JobService };

const tailChars = 500;
export const defaultOutputLimit = 64 * 1024;
const maxOutputLimit = 1024 * 1024;
const hourMs = 3600_000;

const actorOf = (agent: string) => `agent:${agent}`;

/** The transcript's last characters, not starting with the second half of an emoji (it would read "�"). */
function tailOf(transcript: string): string {
  const tail = transcript.slice(-tailChars);
  return /^[\uDC00-\uDFFF]/.test(tail) ? tail.slice(1) : tail;
}

/** The job's transcript as the agent reads it, from its stored events. */
async function transcriptOfJob(deps: AgentJobsDeps, jobId: string): Promise<string> {
  return transcriptOf(await readEventLines(deps.jobs.paths.run(jobId).events));
}

async function ownJobOrThrow(deps: AgentJobsDeps, agent: string, jobId: string) {
  const job = await deps.db.job.findUnique({ where: { id: jobId } });
  if (!job || job.agent !== agent)
    throw new AppError("NOT_FOUND", `No job ${jobId} of yours`, {
      fix: "Use the jobId claude_code_start returned; claude_code_sessions lists your sessions.",
    });
  return job;
}

/** How much of its quotas an agent uses now: jobs running or waiting, and started in the last hour. */
export async function agentJobQuota(db: Db, agent: string, policy: AgentJobsPolicy | null) {
  const [active, lastHour] = await Promise.all([
    db.job.count({ where: { agent, status: { in: ["pending", "running"] } } }),
    db.job.count({ where: { agent, createdAt: { gte: new Date(Date.now() - hourMs) } } }),
  ]);
  return { policy, active, lastHour };
}

/** Starts a job when the policy's quotas allow; one start per agent at a time, so two cannot both squeeze in. */
export function createAgentJobStarter(deps: AgentJobsDeps) {
  const serially = createSerialQueue();
  return function start(
    agent: string,
    policy: AgentJobsPolicy,
    input: { prompt: string; sessionId?: string },
  ): Promise<{ jobId: string; sessionId: string }> {
    const step = async () => {
      const active = await deps.db.job.count({ where: { agent, status: { in: ["pending", "running"] } } });
      if (active >= policy.maxConcurrent)
        throw new AppError(
          "TOO_MANY_REQUESTS",
          `You already have ${active} Claude Code job${active === 1 ? "" : "s"} running or waiting; your policy allows ${policy.maxConcurrent} at a time`,
          { fix: "Wait for one to end (you get a notice), or cancel one with claude_code_cancel." },
        );
      const lastHour = await deps.db.job.count({
        where: { agent, createdAt: { gte: new Date(Date.now() - hourMs) } },
      });
      if (lastHour >= policy.maxPerHour)
        throw new AppError(
          "TOO_MANY_REQUESTS",
          `You started ${lastHour} Claude Code jobs in the last hour; your policy allows ${policy.maxPerHour} an hour`,
          { fix: "Try again later, or ask a person to run the task from the panel." },
        );
      return deps.jobs.start(
        {
          prompt: input.prompt,
          sessionId: input.sessionId,
          template: policy.template,
          owner: { agent, workspace: policy.workspace, network: policy.network },
        },
        actorOf(agent),
      );
    };
    return serially(agent, step);
  };
}

/**
 * When the agent is deleted: its jobs running or waiting are cancelled (one on its workspace would
 * go on writing into the trash), and its sessions with nothing left in them are closed.
 */
export async function endAgentJobs(deps: AgentJobsDeps, agent: string, actor: string) {
  const active = await deps.db.job.findMany({
    where: { agent, status: { in: ["pending", "running"] } },
    select: { id: true },
  });
  for (const job of active) await deps.jobs.cancel(job.id, actor).catch(() => {});
  await deps.jobs.cleanup({ agent, removeWorkspace: false, actor, idleHours: undefined });
}

/** The original plugin's status: time, output, activity, metrics and outcome. */
export async function agentJobStatus(deps: AgentJobsDeps, agent: string, jobId: string) {
  const job = await ownJobOrThrow(deps, agent, jobId);
  const live = deps.jobs.liveOf(jobId);
  const transcript = await transcriptOfJob(deps, jobId);
  const now = Date.now();
  const start = job.startedAt?.getTime() ?? null;
  const end = job.finishedAt?.getTime() ?? now;
  const lastOutput = live?.lastOutputAt
    ? Date.parse(live.lastOutputAt)
    : (job.lastOutputAt?.getTime() ?? null);
  const sample = live?.metrics.at(-1);
  const result = job.result
    ? (JSON.parse(job.result) as { text?: string; costUsd?: number; numTurns?: number })
    : null;
  return {
    jobId: job.id,
    sessionId: job.sessionId,
    status: job.status,
    elapsedSeconds: start === null ? 0 : Math.round((end - start) / 1000),
    outputSize: Buffer.byteLength(transcript),
    tailOutput: tailOf(transcript),
    lastOutputSecondsAgo: lastOutput === null ? null : Math.round((now - lastOutput) / 1000),
    activityState: live?.activity ?? (job.status === "pending" ? "queued" : "ended"),
    metrics: {
      events: live?.eventCount ?? job.eventCount,
      rawOutputBytes: live?.outputBytes ?? job.outputBytes,
      cpuPercent: sample?.cpuPercent ?? null,
      memoryBytes: sample?.memoryBytes ?? null,
      costUsd: result?.costUsd ?? null,
      turns: result?.numTurns ?? null,
    },
    exitCode: job.exitCode,
    error: job.errorMessage,
    errorType: job.errorType,
    result: result?.text ?? null,
  };
}

/** The job's transcript by bytes: `limit` from `offset`, and whether more follows. */
export async function agentJobOutput(
  deps: AgentJobsDeps,
  agent: string,
  jobId: string,
  offset: number,
  limit: number,
) {
  await ownJobOrThrow(deps, agent, jobId);
  const transcript = await transcriptOfJob(deps, jobId);
  const capped = Math.min(limit, maxOutputLimit);
  return { jobId, offset, limit: capped, ...pageBytes(transcript, offset, capped) };
}

export async function agentJobCancel(deps: AgentJobsDeps, agent: string, jobId: string) {
  await ownJobOrThrow(deps, agent, jobId);
  const { status } = await deps.jobs.cancel(jobId, actorOf(agent));
  return { jobId, status };
}

/** The agent's open sessions: age, last activity, jobs so far, and the one running or waiting. */
export async function agentSessions(deps: AgentJobsDeps, agent: string) {
  const rows = await deps.db.jobSession.findMany({
    where: { agent, closedAt: null },
    orderBy: { lastActivityAt: "desc" },
    take: 200,
    include: { jobs: { select: { id: true, status: true, createdAt: true }, orderBy: { createdAt: "asc" } } },
  });
  const now = Date.now();
  return {
    sessions: rows.map((row) => {
      const active =
        row.jobs.find((job) => job.status === "running") ?? row.jobs.find((job) => job.status === "pending");
      return {
        sessionId: row.id,
        workspace: row.workspace,
        ageSeconds: Math.round((now - row.createdAt.getTime()) / 1000),
        lastActivitySecondsAgo: Math.round((now - row.lastActivityAt.getTime()) / 1000),
        messageCount: row.jobs.length,
        activeJob: active ? { jobId: active.id, status: active.status } : null,
      };
    }),
  };
}

/** Closes the named session of the agent, or all its sessions with nothing running or waiting. */
export async function agentSessionsCleanup(
  deps: AgentJobsDeps,
  agent: string,
  sessionId: string | undefined,
) {
  if (sessionId) {
    const session = await deps.db.jobSession.findUnique({ where: { id: sessionId } });
    if (!session || session.agent !== agent)
      throw new AppError("NOT_FOUND", `No session ${sessionId} of yours`, {
        fix: "claude_code_sessions lists your sessions.",
      });
  }
  return deps.jobs.cleanup({
    sessionId,
    agent,
    removeWorkspace: false,
    actor: actorOf(agent),
    idleHours: undefined,
  });
}

export function checkPrompt(prompt: unknown): string {
  if (typeof prompt !== "string" || prompt.trim() === "")
    throw new AppError("BAD_REQUEST", "The prompt is empty", {
      fix: "Give claude_code_start the task as `prompt`.",
    });
  if (prompt.length > maxPromptChars)
    throw new AppError(
      "BAD_REQUEST",
      `The prompt is longer than ${maxPromptChars.toLocaleString()} characters`,
    );
  return prompt;
}
