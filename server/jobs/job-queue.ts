import { AppError } from "../errors";
import type { NetworkProfile } from "../policy/template-schema";
import { newShortId } from "../short-id";
import { failJobBeforeStart } from "./job-finish";
import { stopJob } from "./job-follow";
import { claudeCodeImageIdOrThrow, launchJob } from "./job-launch";
import { auditJob, type JobRuntime } from "./job-runtime";
import { readJobSecret } from "./job-settings";
import { getJobTemplateOrThrow } from "./job-template";

export const maxPromptChars = 100_000;

/** An agent starting a job through its agent API, with what its signed policy gives the job. */
export type JobOwner = {
  agent: string;
  workspace: "agent" | "session";
  network: { profile: NetworkProfile; allow: string[] };
};

export type StartJobInput = { prompt: string; sessionId?: string; template?: string; owner?: JobOwner };

/** Queues a job in a session (a new one unless given) and starts it when the session is free. */
export async function startJob(rt: JobRuntime, input: StartJobInput, actor: string) {
  if (input.prompt.trim() === "") throw new AppError("BAD_REQUEST", "The prompt is empty");
  if (input.prompt.length > maxPromptChars)
    throw new AppError(
      "BAD_REQUEST",
      `The prompt is longer than ${maxPromptChars.toLocaleString()} characters`,
    );
  const { db } = rt.deps;
  let sessionId = input.sessionId;
  const owner = input.owner;
  const templateName = sessionId
    ? await sessionTemplateOrThrow(rt, sessionId, input.template, owner?.agent ?? null)
    : (input.template ?? "default");
  await getJobTemplateOrThrow(rt.deps.paths.templates, templateName);
  await checkReady(rt);
  const jobId = newShortId("j");
  await db.$transaction(async (tx) => {
    if (sessionId && !(await tx.jobSession.findFirst({ where: { id: sessionId, closedAt: null } })))
      throw new AppError("PRECONDITION_FAILED", `Session ${sessionId} was cleaned up`);
    if (!sessionId) {
      sessionId = newShortId("s");
      await tx.jobSession.create({
        data: {
          id: sessionId,
          template: templateName,
          agent: owner?.agent ?? null,
          workspace: owner?.workspace ?? "session",
        },
      });
    }
    await tx.job.create({
      data: {
        id: jobId,
        sessionId,
        prompt: input.prompt,
        status: "pending",
        agent: owner?.agent ?? null,
        network: owner ? JSON.stringify(owner.network) : null,
      },
    });
  });
  const session = sessionId as string;
  await auditJob(
    rt,
    "job_queued",
    actor,
    "ok",
    {
      job: jobId,
      session,
      template: templateName,
      promptChars: input.prompt.length,
      ...(owner ? { workspace: owner.workspace, network: owner.network.profile } : {}),
    },
    owner?.agent,
  );
  void pumpSession(rt, session);
  return { jobId, sessionId: session };
}

/**
 * The template of an open session, which a job in it must not name differently. A session belongs to
 * whoever started it: an agent sees only its own (another's is "No session", as if it did not exist),
 * and a person's job does not join an agent's session.
 */
async function sessionTemplateOrThrow(
  rt: JobRuntime,
  sessionId: string,
  template: string | undefined,
  agent: string | null,
) {
  const session = await rt.deps.db.jobSession.findUnique({ where: { id: sessionId } });
  if (!session || (agent !== null && session.agent !== agent))
    throw new AppError("NOT_FOUND", `No session ${sessionId}`, {
      fix: agent ? "claude_code_sessions lists your sessions." : "claw jobs sessions lists them",
    });
  if (agent === null && session.agent)
    throw new AppError("PRECONDITION_FAILED", `Session ${sessionId} belongs to the agent ${session.agent}`, {
      fix: "Start a job without a session for a new one; the agent continues its own sessions.",
    });
  if (session.closedAt)
    throw new AppError("PRECONDITION_FAILED", `Session ${sessionId} was cleaned up`, {
      fix: "Start a job without a session for a new one.",
    });
  if (template && template !== session.template)
    throw new AppError("BAD_REQUEST", `Session ${sessionId} uses the template "${session.template}"`);
  return session.template;
}

/**
 * Refuses a job that cannot run, before it is queued: no image, or no way to sign in. Either way the
 * credential stays in the panel (the model gateway reads it per request).
 */
async function checkReady(rt: JobRuntime) {
  await claudeCodeImageIdOrThrow(await rt.deps.libpod());
  if (!(await readJobSecret(rt.paths, "apiKey")) && !(await readJobSecret(rt.paths, "credentials")))
    throw new AppError("PRECONDITION_FAILED", "Claude Code has no credentials", {
      fix: "Set an API key (`claw jobs config --api-key-stdin`) or an OAuth credentials file (`claw jobs config --credentials-file PATH`).",
    });
}

/** Starts the session's oldest pending job if none of its jobs runs. */
export async function pumpSession(rt: JobRuntime, sessionId: string) {
  if (
    rt.closed ||
    rt.starting.has(sessionId) ||
    [...rt.running.values()].some((job) => job.sessionId === sessionId)
  )
    return;
  rt.starting.add(sessionId);
  let next: { id: string } | null = null;
  try {
    next = await rt.deps.db.job.findFirst({
      where: { sessionId, status: "pending" },
      orderBy: { createdAt: "asc" },
    });
    if (next) await launchJob(rt, next.id);
  } catch (error) {
    if (next) await failJobBeforeStart(rt, next.id, error);
  } finally {
    rt.starting.delete(sessionId);
  }
  if (next) void pumpSession(rt, sessionId);
}

/** Stops a running job, or takes a pending one off the queue. */
export async function cancelJob(rt: JobRuntime, jobId: string, actor: string) {
  const { db } = rt.deps;
  const job = await db.job.findUnique({ where: { id: jobId } });
  if (!job) throw new AppError("NOT_FOUND", `No job ${jobId}`);
  const live = rt.running.get(jobId);
  if (live) {
    live.cancelledBy = actor;
    stopJob(rt, live, "cancelled");
    return { status: "cancelling" as const };
  }
  if (job.status === "pending") {
    const { count } = await db.job.updateMany({
      where: { id: jobId, status: "pending" },
      data: {
        status: "cancelled",
        finishedAt: new Date(),
        cancelledBy: actor,
        errorMessage: `cancelled by ${actor}`,
      },
    });
    if (count === 1) {
      await auditJob(
        rt,
        "job_cancelled",
        actor,
        "ok",
        { job: jobId, session: job.sessionId, whilePending: true },
        job.agent,
      );
      rt.bus.emit(jobId, { type: "status", status: "cancelled" });
      return { status: "cancelled" as const };
    }
  }
  throw new AppError("CONFLICT", `Job ${jobId} is ${job.status}, not running`);
}
