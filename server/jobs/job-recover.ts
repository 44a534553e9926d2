import { writeFile } from "node:fs/promises";
import { type ContainerSummary, homeLabel, type Libpod } from "../podman/libpod";
import { jobLabel, jobModelLabel } from "./job-container";
import { readEventLines } from "./job-files";
import { failJobBeforeStart } from "./job-finish";
import { followJob } from "./job-follow";
import { jobSpec } from "./job-launch";
import { applyFacts, auditJob, type JobRuntime, newRunningJob } from "./job-runtime";
import { readJobSettings } from "./job-settings";
import { getJobTemplateOrThrow } from "./job-template";

/** A job row that was running when the panel stopped, with its session. */
type RunningRow = Awaited<ReturnType<typeof runningRows>>[number];

const runningRows = (rt: JobRuntime) =>
  rt.deps.db.job.findMany({ where: { status: "running" }, include: { session: true } });

/**
 * After a panel restart: running jobs' containers are found by label and followed again from
 * where their stored output ends; finished ones are collected; jobs without a container fail.
 */
export async function recoverJobs(rt: JobRuntime) {
  const libpod = await rt.deps.libpod();
  const containers = await libpod.listContainers(`${homeLabel}=${rt.deps.homeId}`);
  const byJob = new Map(
    containers.flatMap((c) => (c.Labels?.[jobLabel] ? [[c.Labels[jobLabel], c] as const] : [])),
  );
  const jobs = await runningRows(rt);
  const { baseUrl } = await readJobSettings(rt.paths);
  for (const job of jobs) {
    if (rt.running.has(job.id)) continue;
    const container = byJob.get(job.id);
    if (!container) {
      await failJobBeforeStart(rt, job.id, new Error("its container was gone after the panel restarted"));
      continue;
    }
    await reattach(rt, libpod, job, container, baseUrl);
  }
  const sessions = await rt.deps.db.job.findMany({
    where: { status: "pending" },
    distinct: ["sessionId"],
    select: { sessionId: true },
  });
  for (const { sessionId } of sessions) void rt.pump(sessionId);
}

/** Follows a job's container again: its stored lines counted, its proxies back while it runs. */
async function reattach(
  rt: JobRuntime,
  libpod: Libpod,
  job: RunningRow,
  container: ContainerSummary,
  baseUrl: string,
) {
  const template = await getJobTemplateOrThrow(rt.deps.paths.templates, job.session.template).catch(
    () => null,
  );
  if (!template) {
    await libpod.stopContainer(container.Id, 5).catch(() => {});
    await failJobBeforeStart(rt, job.id, new Error(`its template ${job.session.template} is gone`));
    return;
  }
  const modelProxy = container.Labels?.[jobModelLabel] === "proxy";
  const runPaths = rt.paths.run(job.id);
  const lines = await readEventLines(runPaths.events);
  // Rewrite the file to its whole lines, so appending continues exactly after them.
  await writeFile(runPaths.events, lines.map((line) => `${line}\n`).join(""), { mode: 0o600 });
  const live = newRunningJob({
    id: job.id,
    sessionId: job.sessionId,
    containerId: container.Id,
    template,
    startedAt: job.startedAt?.getTime() ?? Date.now(),
    eventsPath: runPaths.events,
    usedCredentials: undefined,
  });
  live.lastOutputAt = job.lastOutputAt?.getTime() ?? null;
  for (const line of lines) {
    live.outputBytes += Buffer.byteLength(line) + 1;
    live.eventCount++;
    applyFacts(live, line);
  }
  const rootless = await rt.deps.rootless();
  const spec = jobSpec(job, template, { imageId: "", rootless, baseUrl, modelProxy });
  const sessionDir = rt.paths.session(job.sessionId).dir;
  if (container.State === "running") {
    await rt.deps.egress.ensure(`job:${job.id}`, sessionDir, spec, { job: job.id });
    if (modelProxy) await rt.models.ensure(job.id, sessionDir);
  }
  await auditJob(rt, "job_reattached", "system", "ok", {
    job: job.id,
    storedEvents: lines.length,
    state: container.State,
  });
  followJob(rt, live, lines.length);
}
