import { writeSync } from "node:fs";
import { appendFile } from "node:fs/promises";
import { StringDecoder } from "node:string_decoder";
import type { Libpod } from "../podman/libpod";
import { logDemuxer, splitLines } from "../podman/log-stream";
import { finishJob } from "./job-finish";
import { applyFacts, type JobRuntime, type RunningJob } from "./job-runtime";
import { cappedStderr } from "./job-stderr";
import type { LimitError } from "./stream-json";

const metricsKept = 720;
/** Activity: output within this long is "active"; an open tool call or output within `idleAfterMs` is "processing". */
const activeWithinMs = 10_000;
const idleAfterMs = 60_000;

/**
 * Reads the container's output from its start (skipping the `skip` lines already stored, after
 * a panel restart), keeps every stdout line as an event and stderr apart, and waits for the
 * container's own exit code.
 */
export function followJob(rt: JobRuntime, job: RunningJob, skip: number) {
  rt.running.set(job.id, job);
  void (async () => {
    const libpod = await rt.deps.libpod();
    const stderr = cappedStderr(rt.paths.run(job.id).stderr, { append: skip > 0 });
    const ended = readOutput(rt, libpod, job, skip, stderr);
    const exitCode = await libpod.waitForExit(job.containerId, job.abort.signal);
    if (job.abort.signal.aborted) return stderr.close();
    // The log stream ends with the container; a short grace for the last lines in flight.
    await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 5000))]);
    stderr.close();
    await finishJob(rt, job, exitCode);
  })().catch((error: Error) => {
    console.error(`claw: job ${job.id}: ${error.message}`);
    void finishJob(rt, job, null);
  });
}

/** Follows the container's log: stdout lines to `onLines`, stderr to its file; resolves when the log ends. */
function readOutput(
  rt: JobRuntime,
  libpod: Libpod,
  job: RunningJob,
  skip: number,
  stderr: ReturnType<typeof cappedStderr>,
): Promise<void> {
  const demux = logDemuxer();
  const decoder = new StringDecoder("utf8");
  let carry = "";
  let seen = 0;
  const take = (lines: string[]) => {
    const fresh = lines.slice(Math.max(0, skip - seen));
    seen += lines.length;
    if (fresh.length) onLines(rt, job, fresh);
  };
  const failed = (error: unknown) =>
    console.error(`claw: job ${job.id}: reading its output: ${(error as Error).message}`);
  // Runs inside the log stream's handler: whatever the container prints, nothing may throw out of it.
  const onData = (chunk: Buffer) => {
    try {
      for (const piece of demux(chunk)) {
        if (piece.stream === 2) stderr.write(piece.data);
        // Past the output limit the rest is dropped unread; the container is being stopped.
        else if (job.stoppedFor !== "output_limit") {
          const split = splitLines(carry, decoder.write(piece.data));
          carry = split.carry;
          take(split.lines);
        }
      }
    } catch (error) {
      failed(error);
    }
  };
  return new Promise<void>((resolve) => {
    let done = false;
    const end = () => {
      if (done) return;
      done = true;
      try {
        const last = carry + decoder.end();
        carry = "";
        if (last && job.stoppedFor !== "output_limit") take(splitLines("", `${last}\n`).lines);
      } catch (error) {
        failed(error);
      }
      resolve();
    };
    void libpod
      .openLogs(job.containerId, { follow: true, timestamps: false })
      .then((stream) => {
        const stop = () => stream.destroy();
        if (job.abort.signal.aborted) stop();
        else job.abort.signal.addEventListener("abort", stop, { once: true });
        stream.on("data", onData);
        stream.on("end", end);
        stream.on("error", end);
        stream.on("close", end);
      })
      .catch(end);
  });
}

/** New stdout lines: stored and told until the output limit, which stops the job. */
function onLines(rt: JobRuntime, job: RunningJob, lines: string[]) {
  const limit = job.template.limits.maxOutputBytes;
  const from = job.eventCount;
  const kept: string[] = [];
  for (const line of lines) {
    if (job.stoppedFor === "output_limit" || job.events < 0) break;
    const size = Buffer.byteLength(line) + 1;
    if (limit > 0 && job.outputBytes + size > limit) {
      stopJob(rt, job, "output_limit", `the output passed the limit of ${limit.toLocaleString()} bytes`);
      break;
    }
    job.outputBytes += size;
    job.eventCount++;
    job.lastOutputAt = Date.now();
    job.dirty = true;
    kept.push(line);
    writeSync(job.events, `${line}\n`);
    applyFacts(job, line);
  }
  if (kept.length) rt.bus.emit(job.id, { type: "events", from, lines: kept });
}

/** Stops the job's container (once), remembering why: its outcome says so when it ends. */
export function stopJob(rt: JobRuntime, job: RunningJob, reason: LimitError | "cancelled", message?: string) {
  if (job.stoppedFor) return;
  job.stoppedFor = reason;
  job.limitMessage = message;
  void rt.deps
    .libpod()
    .then((libpod) => libpod.stopContainer(job.containerId, 5))
    .catch((error: Error) => console.error(`claw: could not stop job ${job.id}: ${error.message}`));
}

/** Limits, counters and (every other second) CPU/memory samples: call it every second. */
export function jobTicker(rt: JobRuntime) {
  let count = 0;
  return async () => {
    count++;
    const now = Date.now();
    for (const job of rt.running.values()) {
      const { limits } = job.template;
      if (!job.sawInit && now - job.startedAt > limits.startupTimeoutSeconds * 1000)
        stopJob(
          rt,
          job,
          "startup_timeout",
          `Claude Code printed nothing within ${limits.startupTimeoutSeconds} s of starting`,
        );
      else if (job.sawInit && now - (job.lastOutputAt ?? job.startedAt) > limits.idleTimeoutSeconds * 1000)
        stopJob(rt, job, "idle_timeout", `no output for ${limits.idleTimeoutSeconds} s`);
      if (now - job.startedAt > limits.maxDurationSeconds * 1000)
        stopJob(rt, job, "max_duration", `the job ran longer than ${limits.maxDurationSeconds} s`);
      if (job.dirty) {
        job.dirty = false;
        await saveCounters(rt, job).catch(() => {});
      }
    }
    if (count % 2 === 0 && rt.running.size > 0) await sampleMetrics(rt).catch(() => {});
  };
}

export async function saveCounters(rt: JobRuntime, job: RunningJob) {
  await rt.deps.db.job.update({
    where: { id: job.id },
    data: {
      outputBytes: job.outputBytes,
      eventCount: job.eventCount,
      lastOutputAt: job.lastOutputAt ? new Date(job.lastOutputAt) : null,
    },
  });
}

async function sampleMetrics(rt: JobRuntime) {
  const libpod = await rt.deps.libpod();
  const jobs = [...rt.running.values()];
  const usage = await libpod.sampleUsage(jobs.map((job) => job.containerId));
  const t = Date.now();
  for (const job of jobs) {
    const sample = usage.get(job.containerId);
    if (!sample) continue;
    const point = { t, cpuPercent: sample.cpuPercent, memoryBytes: sample.memoryBytes };
    job.metrics.push(point);
    if (job.metrics.length > metricsKept) job.metrics.shift();
    await appendFile(rt.paths.run(job.id).metrics, `${JSON.stringify(point)}\n`, { mode: 0o600 });
  }
}

/** Pure: the live side of a running job, as the pages show it. */
export function jobLive(job: RunningJob, now: number) {
  const sinceOutput = now - (job.lastOutputAt ?? job.startedAt);
  const activity: "active" | "processing" | "idle" =
    job.lastOutputAt && sinceOutput < activeWithinMs
      ? "active"
      : job.openTools.size > 0 || sinceOutput < idleAfterMs
        ? "processing"
        : "idle";
  return {
    activity,
    outputBytes: job.outputBytes,
    eventCount: job.eventCount,
    lastOutputAt: job.lastOutputAt ? new Date(job.lastOutputAt).toISOString() : null,
    openToolCalls: job.openTools.size,
    metrics: job.metrics,
    stopping: job.stoppedFor,
  };
}
export type JobLive = ReturnType<typeof jobLive>;
