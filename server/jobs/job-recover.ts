import { writeFile } from "node:fs/promises";
import { removeContainerFile } from "../fs/container-files";
import { type ContainerSummary, homeLabel, type Libpod } from "../podman/libpod";
import { jobLabel, jobModelLabel } from "./job-container";
import { readEventLines } from "./job-files";
import { failJobBeforeStart } from "./job-finish";
import { followJob } from "./job-follow";
import { credentialsFile, jobSpec } from "./job-launch";
import { applyFacts, auditJob, type JobRuntime, newRunningJob } from "./job-runtime";
import { getJobTemplateOrThrow, withJobNetwork } from "./job-template";

/** A job row that was running when the panel stopped, with its session. */
type RunningRow = Awaited<ReturnType<typeof runningRows>>[number];

const runningRows = (rt: JobRuntime) =>
  rt.deps.db.job.findMany({ where: { status: "running" }, include: { session: true } });

/**
 * After a panel restart: running jobs' containers are found by label and followed again from
 * where their stored output ends; finished ones are collected; jobs without a container fail; a
 * pending job's container (its launch was cut short) is removed before the job starts again.
 */
export async function recoverJobs(rt: JobRuntime) {
  const libpod = await rt.deps.libpod();
  const containers = await libpod.listContainers(`${homeLabel}=${rt.deps.homeId}`);
  const byJob = new Map(
    containers.flatMap((c) => (c.Labels?.[jobLabel] ? [[c.Labels[jobLabel], c] as const] : [])),
  );
  const jobs = await runningRows(rt);
  for (const job of jobs) {
    if (rt.running.has(job.id)) continue;
    const container = byJob.get(job.id);
    if (!container) {
      await failJobBeforeStart(rt, job.id, new Error("its container was gone after the panel restarted"));
      continue;
    }
    await reattach(rt, libpod, job, container);
  }
  // A launch cut short left a container while its job is still pending: it goes (audited), never
  // followed unchecked, and the job starts again from the queue below.
  const pending = await rt.deps.db.job.findMany({
    where: { status: "pending" },
    select: { id: true, agent: true },
  });
  for (const job of pending) {
    const container = byJob.get(job.id);
    if (!container) continue;
    const removed = await libpod.removeContainer(container.Id, { force: true }).then(
      () => true,
      (error: Error) =>
        void console.error(`claw: job ${job.id}: could not remove ${container.Id}: ${error.message}`),
    );
    if (!removed) continue;
    await auditJob(
      rt,
      "job_start_interrupted",
      "system",
      "error",
      { job: job.id, containerId: container.Id, state: container.State, removed: true },
      job.agent,
    );
  }
  const sessions = await rt.deps.db.job.findMany({
    where: { status: "pending" },
    distinct: ["sessionId"],
    select: { sessionId: true },
  });
  for (const { sessionId } of sessions) void rt.pump(sessionId);
}

/** Follows a job's container again: its stored lines counted, its proxies back while it runs. */
async function reattach(rt: JobRuntime, libpod: Libpod, job: RunningRow, container: ContainerSummary) {
  const template = await getJobTemplateOrThrow(rt.deps.paths.templates, job.session.template)
    .then((found) => withJobNetwork(found, job.network))
    .catch(() => null);
  if (!template) {
    await libpod.stopContainer(container.Id, 5).catch(() => {});
    await failJobBeforeStart(rt, job.id, new Error(`its template ${job.session.template} is gone`));
    return;
  }
  const runPaths = rt.paths.run(job.id);
  const lines = await readEventLines(runPaths.events);
  // Rewrite the file to its whole lines, so appending continues exactly after them.
  await writeFile(runPaths.events, lines.map((line) => `${line}\n`).join(""), { mode: 0o600 });
  const live = newRunningJob({
    id: job.id,
    sessionId: job.sessionId,
    agent: job.agent,
    containerId: container.Id,
    template,
    startedAt: job.startedAt?.getTime() ?? Date.now(),
    eventsPath: runPaths.events,
  });
  live.lastOutputAt = job.lastOutputAt?.getTime() ?? null;
  for (const line of lines) {
    live.outputBytes += Buffer.byteLength(line) + 1;
    live.eventCount++;
    applyFacts(live, line);
  }
  const sessionPaths = rt.paths.session(job.sessionId);
  // An older panel ran OAuth jobs "direct", the login in the container and the API host allowed
  // through the egress proxy. Such a job is not carried on: a running one is stopped at once and
  // ends as cancelled (its Claude session kept, so the session's next job resumes it); the login goes.
  const direct = container.Labels?.[jobModelLabel] !== "proxy";
  if (direct) {
    if (container.State === "running") {
      await libpod.stopContainer(container.Id, 5).catch(() => {});
      live.stoppedFor = "cancelled";
      live.cancelledBy = "system";
    }
    await removeContainerFile(sessionPaths.claude, credentialsFile).catch(() => {});
  } else if (container.State === "running") {
    const spec = jobSpec(job, template, { imageId: "", rootless: await rt.deps.rootless() });
    await rt.deps.egress.ensure(`job:${job.id}`, sessionPaths.dir, spec, { job: job.id });
    await rt.models.ensure(job.id, sessionPaths.dir);
  }
  await auditJob(
    rt,
    "job_reattached",
    "system",
    "ok",
    {
      job: job.id,
      storedEvents: lines.length,
      state: container.State,
      // `direct`: an older panel's OAuth job, stopped if it still ran (see above).
      ...(direct ? { model: "direct", stopped: container.State === "running" } : {}),
    },
    job.agent,
  );
  followJob(rt, live, lines.length);
}
