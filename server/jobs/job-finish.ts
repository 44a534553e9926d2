import { closeSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { jobPromptDir } from "./job-container";
import { readTail } from "./job-files";
import { type JobNotice, sendJobWebhook } from "./job-notify";
import { auditJob, type JobRuntime, type RunningJob } from "./job-runtime";
import { readJobSecret, readJobSettings } from "./job-settings";
import { type JobOutcome, jobOutcome } from "./stream-json";

/**
 * A job's container ended (or could not be followed): its outcome goes to its row and the audit log,
 * its container, proxies and prompt go, and the session's next job starts.
 */
export async function finishJob(rt: JobRuntime, job: RunningJob, exitCode: number | null) {
  if (rt.closed || !rt.running.has(job.id)) return;
  const libpod = await rt.deps.libpod();
  const inspect = await libpod.inspectContainer(job.containerId).catch(() => undefined);
  const code = exitCode ?? inspect?.State.ExitCode ?? null;
  closeSync(job.events);
  job.events = -1;
  const stderrTail = await readTail(rt.paths.run(job.id).stderr, 4000);
  const outcome = jobOutcome({
    stoppedFor: job.stoppedFor,
    limitMessage: job.limitMessage,
    cancelledBy: job.cancelledBy,
    exitCode: code,
    oomKilled: inspect?.State.OOMKilled === true,
    result: job.result,
    stderrTail,
  });
  const finishedAt = new Date();
  await saveOutcome(rt, job, outcome, code, finishedAt);
  rt.running.delete(job.id);
  await libpod.removeContainer(job.containerId, { force: true }).catch(() => {});
  await rt.deps.egress.close(`job:${job.id}`).catch(() => {});
  await rt.models.close(job.id).catch(() => {});
  await rm(join(rt.paths.session(job.sessionId).dir, jobPromptDir, "prompt"), { force: true });
  const durationMs = finishedAt.getTime() - job.startedAt;
  await auditJob(
    rt,
    `job_${outcome.status}`,
    job.cancelledBy ?? "system",
    outcome.status === "failed" ? "error" : "ok",
    {
      job: job.id,
      session: job.sessionId,
      exitCode: code,
      errorType: outcome.errorType,
      error: outcome.message,
      outputBytes: job.outputBytes,
      events: job.eventCount,
      durationMs,
      costUsd: job.result?.costUsd ?? null,
      turns: job.result?.numTurns ?? null,
    },
    job.agent,
  );
  rt.bus.emit(job.id, { type: "status", status: outcome.status });
  const notice: JobNotice = {
    jobId: job.id,
    sessionId: job.sessionId,
    status: outcome.status,
    outputBytes: job.outputBytes,
    durationMs,
    resultText: job.result?.text ?? outcome.message ?? null,
  };
  void (job.agent ? noticeToAgent(rt, job.agent, notice) : notify(rt, job, notice));
  void rt.pump(job.sessionId);
}

/** The job's row and its session's, in one transaction: the outcome, the counters, the Claude session. */
async function saveOutcome(
  rt: JobRuntime,
  job: RunningJob,
  outcome: JobOutcome,
  exitCode: number | null,
  finishedAt: Date,
) {
  const { db } = rt.deps;
  await db.$transaction([
    db.job.update({
      where: { id: job.id },
      data: {
        status: outcome.status,
        errorType: outcome.errorType,
        errorMessage: outcome.message,
        exitCode,
        finishedAt,
        outputBytes: job.outputBytes,
        eventCount: job.eventCount,
        lastOutputAt: job.lastOutputAt ? new Date(job.lastOutputAt) : null,
        result: job.result ? JSON.stringify(job.result) : null,
        cancelledBy: job.cancelledBy,
      },
    }),
    db.jobSession.update({
      where: { id: job.sessionId },
      data: {
        lastActivityAt: finishedAt,
        ...(job.claudeSessionId ? { claudeSessionId: job.claudeSessionId } : {}),
      },
    }),
  ]);
}

/** A job that never got a running container (or lost it): failed as a crash, its proxies closed. */
export async function failJobBeforeStart(rt: JobRuntime, jobId: string, error: unknown) {
  const message = error instanceof Error ? error.message : String(error);
  const row = await rt.deps.db.job.update({
    where: { id: jobId },
    data: {
      status: "failed",
      errorType: "crash",
      errorMessage: message.slice(0, 2000),
      finishedAt: new Date(),
    },
  });
  await rt.deps.egress.close(`job:${jobId}`).catch(() => {});
  await rt.models.close(jobId).catch(() => {});
  await auditJob(
    rt,
    "job_failed",
    "system",
    "error",
    { job: jobId, errorType: "crash", error: message.slice(0, 2000) },
    row.agent,
  );
  if (row.agent)
    void noticeToAgent(rt, row.agent, {
      jobId,
      sessionId: row.sessionId,
      status: "failed",
      outputBytes: 0,
      durationMs: 0,
      resultText: message.slice(0, 1500),
    });
  rt.bus.emit(jobId, { type: "status", status: "failed" });
}

/**
 * The notice to the agent that started the job, on its own Gateway's /hooks/agent (through the
 * panel's tunnel, with the hooks token the panel holds); audited either way.
 */
async function noticeToAgent(rt: JobRuntime, agent: string, notice: JobNotice) {
  const result = await rt.deps.agentHooks.notify(agent, notice).catch((error: Error) => ({
    ok: false,
    status: null,
    error: error.message,
  }));
  await auditJob(
    rt,
    "job_notified",
    "system",
    result.ok ? "ok" : "error",
    { job: notice.jobId, to: `agent ${agent}`, jobStatus: notice.status, ...result },
    agent,
  );
}

/** The job-end webhook, with the settings of now (a webhook set while the job ran is the one told). */
async function notify(rt: JobRuntime, job: RunningJob, notice: JobNotice) {
  const settings = await readJobSettings(rt.paths).catch(() => undefined);
  if (!settings?.webhook) return;
  const token = await readJobSecret(rt.paths, "webhookToken");
  const result = await sendJobWebhook(settings.webhook, token, notice);
  await auditJob(rt, "job_notified", "system", result.ok ? "ok" : "error", {
    job: job.id,
    url: settings.webhook.url,
    ...result,
  });
}
