import { closeSync } from "node:fs";
import { join } from "node:path";
import { modelSocketDir, modelSocketName } from "../policy/model-route";
import { createJobBus, type JobUpdate } from "./job-bus";
import { type JobLive, jobLive, jobTicker, saveCounters } from "./job-follow";
import { cancelJob, pumpSession, type StartJobInput, startJob } from "./job-queue";
import { recoverJobs } from "./job-recover";
import type { JobRuntime, JobsDeps } from "./job-runtime";
import { cleanupJobSessions } from "./job-sessions";
import { type JobsPaths, jobModelSecret, jobsPaths, readJobSettings } from "./job-settings";

const cleanupEveryMs = 10 * 60_000;

export type CleanupOptions = {
  sessionId?: string;
  idleHours?: number;
  removeWorkspace: boolean;
  actor: string;
};

/** Claude Code jobs: queued per session, run in hardened containers, followed, and told to listeners. */
export type JobService = {
  start(
    input: StartJobInput,
    actor: string,
    options?: { fromChat?: boolean },
  ): Promise<{ jobId: string; sessionId: string }>;
  cancel(jobId: string, actor: string): Promise<{ status: "cancelling" } | { status: "cancelled" }>;
  /** Closes idle sessions (the settings' idle hours unless given), or the one named. */
  cleanup(options: CleanupOptions): Promise<{ closed: string[]; busy: string[] }>;
  /** After a panel restart: follows the jobs' containers again and starts what is queued. */
  recover(): Promise<void>;
  /** The live side of a running job (undefined once it ended). */
  liveOf(jobId: string): JobLive | undefined;
  subscribe(jobId: string, listener: (update: JobUpdate) => void): () => void;
  /** Stops following (containers keep running; the next start re-attaches to them). */
  close(): Promise<void>;
  isRunning(jobId: string): boolean;
  runningSessions(): Set<string>;
  paths: JobsPaths;
};

export function createJobService(deps: JobsDeps): JobService {
  const paths = jobsPaths(deps.paths.jobs);
  const rt: JobRuntime = {
    deps,
    paths,
    running: new Map(),
    starting: new Set(),
    bus: createJobBus(),
    models: {
      // Jobs may pick their model (Claude Code chooses per call); the base URL is read per request.
      ensure: (job, sessionDir) =>
        deps.models.ensure({ job }, join(sessionDir, modelSocketDir, modelSocketName), async () => ({
          provider: "anthropic",
          model: null,
          upstream: (await readJobSettings(paths)).baseUrl,
          secret: jobModelSecret,
          budget: { tokensPerDay: null, requestsPerMinute: null },
        })),
      close: (job) => deps.models.close(`job:${job}`),
      closeAll: () =>
        Promise.all(
          deps.models
            .running()
            .flatMap((subject) => (subject.startsWith("job:") ? [deps.models.close(subject)] : [])),
        ).then(() => {}),
    },
    closed: false,
    pump: (sessionId) => pumpSession(rt, sessionId),
  };

  async function cleanup(options: CleanupOptions) {
    const idleHours =
      options.sessionId !== undefined
        ? options.idleHours
        : (options.idleHours ?? (await readJobSettings(paths)).sessionIdleHours);
    return cleanupJobSessions({ db: deps.db, audit: deps.audit, paths }, { ...options, idleHours });
  }

  const onTick = jobTicker(rt);
  const tick = setInterval(() => void onTick(), 1000);
  tick.unref();
  const upkeep = setInterval(
    () =>
      void cleanup({ idleHours: undefined, removeWorkspace: false, actor: "system" }).catch((error: Error) =>
        console.error(`claw: idle job sessions: ${error.message}`),
      ),
    cleanupEveryMs,
  );
  upkeep.unref();

  return {
    start: (input, actor, options) => startJob(rt, input, actor, options),
    cancel: (jobId, actor) => cancelJob(rt, jobId, actor),
    cleanup,
    recover: () => recoverJobs(rt),
    liveOf(jobId) {
      const job = rt.running.get(jobId);
      return job ? jobLive(job, Date.now()) : undefined;
    },
    subscribe: rt.bus.subscribe,
    async close() {
      rt.closed = true;
      clearInterval(tick);
      clearInterval(upkeep);
      for (const job of rt.running.values()) {
        job.abort.abort();
        if (job.dirty) await saveCounters(rt, job).catch(() => {});
        closeSync(job.events);
        job.events = -1;
      }
      rt.running.clear();
      await rt.models.closeAll();
    },
    isRunning: (jobId) => rt.running.has(jobId),
    runningSessions: () => new Set([...rt.running.values()].map((job) => job.sessionId)),
    paths,
  };
}
