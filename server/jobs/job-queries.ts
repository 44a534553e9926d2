import { readFile } from "node:fs/promises";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import { eventOfLine, readEventLines, readTail } from "./job-files";
import type { MetricSample } from "./job-runtime";
import type { JobService } from "./job-service";
import type { JobResult } from "./stream-json";

const chartPoints = 240;

/** Pure: at most `points` samples, evenly picked, the last one kept. */
export function downsample<T>(samples: T[], points: number): T[] {
  if (samples.length <= points) return samples;
  const step = samples.length / points;
  const picked = Array.from({ length: points - 1 }, (_, i) => samples[Math.floor(i * step)] as T);
  return [...picked, samples.at(-1) as T];
}

type JobRow = NonNullable<Awaited<ReturnType<Db["job"]["findUnique"]>>>;

function present(row: JobRow, jobs: JobService) {
  const { result, ...rest } = row;
  const live = jobs.liveOf(row.id);
  return {
    ...rest,
    // While it runs, the counters in memory are newer than the row's.
    outputBytes: live?.outputBytes ?? row.outputBytes,
    eventCount: live?.eventCount ?? row.eventCount,
    lastOutputAt: live?.lastOutputAt ?? row.lastOutputAt?.toISOString() ?? null,
    result: result ? (JSON.parse(result) as JobResult) : null,
    activity: live?.activity ?? null,
    openToolCalls: live?.openToolCalls ?? 0,
    stopping: live?.stopping ?? null,
  };
}

export async function listJobs(
  db: Db,
  jobs: JobService,
  options: { sessionId?: string; status?: string; agent?: string; limit: number; cursor?: string },
) {
  const rows = await db.job.findMany({
    where: { sessionId: options.sessionId, status: options.status, agent: options.agent },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: options.limit + 1,
    ...(options.cursor ? { cursor: { id: options.cursor }, skip: 1 } : {}),
  });
  const page = rows.slice(0, options.limit);
  return {
    jobs: page.map((row) => ({ ...present(row, jobs), prompt: row.prompt.slice(0, 300) })),
    nextCursor: rows.length > options.limit ? (page.at(-1)?.id ?? null) : null,
  };
}

export async function getJobOrThrow(db: Db, jobs: JobService, id: string) {
  const row = await db.job.findUnique({ where: { id }, include: { session: true } });
  if (!row) throw new AppError("NOT_FOUND", `No job ${id}`, { fix: "claw jobs list shows them" });
  const { session, ...job } = row;
  const live = jobs.liveOf(id);
  const metrics: MetricSample[] =
    live?.metrics ??
    (await readFile(jobs.paths.run(id).metrics, "utf8").catch(() => ""))
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as MetricSample);
  // Jobs ahead of this one in its session's queue.
  const ahead =
    job.status === "pending"
      ? await db.job.count({
          where: {
            sessionId: job.sessionId,
            status: { in: ["pending", "running"] },
            createdAt: { lt: job.createdAt },
          },
        })
      : 0;
  return {
    ...present(job, jobs),
    session,
    queuePosition: ahead,
    metrics: downsample(metrics, chartPoints),
    stderrTail: await readTail(jobs.paths.run(id).stderr, 4000),
  };
}

/** Events [offset, offset + limit) of a job, as Claude Code printed them. */
export async function readJobOutput(db: Db, jobs: JobService, id: string, offset: number, limit: number) {
  if (!(await db.job.findUnique({ where: { id }, select: { id: true } })))
    throw new AppError("NOT_FOUND", `No job ${id}`);
  const lines = await readEventLines(jobs.paths.run(id).events);
  return {
    offset,
    total: lines.length,
    events: lines.slice(offset, offset + limit).map(eventOfLine),
  };
}
