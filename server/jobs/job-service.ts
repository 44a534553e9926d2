import { closeSync } from "node:fs";
import { join } from "node:path";
import { createOAuthLogin, type OAuthAccess } from "../models/oauth-login";
import { modelSocketDir, modelSocketName } from "../policy/model-route";
import { createJobBus, type JobUpdate } from "./job-bus";
import { type JobLive, jobLive, jobTicker, saveCounters } from "./job-follow";
import { cancelJob, pumpSession, type StartJobInput, startJob } from "./job-queue";
import { recoverJobs } from "./job-recover";
import type { JobRuntime, JobsDeps } from "./job-runtime";
import { cleanupJobSessions } from "./job-sessions";
import {
  type JobsPaths,
  jobModelSecret,
  jobsPaths,
  readJobSecret,
  readJobSettings,
  writeJobSecret,
} from "./job-settings";

const cleanupEveryMs = 10 * 60_000;

const giveLogin =
  "log in again with `claude login` (on a machine with a browser), then give the panel the new login: `claw jobs config --credentials-file ~/.claude/.credentials.json`";

/** The gateway's refusal when a job has neither an API key nor a usable OAuth login. */
export function missingJobCredential(reason: Extract<OAuthAccess, { token: undefined }>["reason"]): string {
  if (reason === "expired")
    return `claw model gateway: the jobs' Claude OAuth login has expired and the panel could not refresh it; ${giveLogin}`;
  if (reason === "invalid")
    return `claw model gateway: the jobs' stored OAuth login is not Claude Code's credentials JSON; ${giveLogin}`;
  return "claw model gateway: jobs have no model credential; set an API key (`claw secrets set anthropic-api-key`) or an OAuth login (`claw jobs config --credentials-file ~/.claude/.credentials.json`)";
}

export type CleanupOptions = {
  sessionId?: string;
  /** Only this agent's sessions; without a session or idle hours, all of them that are not busy. */
  agent?: string;
  idleHours?: number;
  removeWorkspace: boolean;
  actor: string;
};

/** Claude Code jobs: queued per session, run in hardened containers, followed, and told to listeners. */
export type JobService = {
  start(input: StartJobInput, actor: string): Promise<{ jobId: string; sessionId: string }>;
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
  // The OAuth login stays here: the gateway adds its token, refreshed by the panel, never the job.
  const login = createOAuthLogin({
    read: () => readJobSecret(paths, "credentials"),
    write: (text) => writeJobSecret(paths, "credentials", text),
    audit: deps.audit,
  });
  /**
   * The OAuth login's access token when a login is set (it takes precedence, as in the original
   * plugin: a subscription before per-token billing), else the API key; read per request.
   */
  const credential = async () => {
    const apiKey = await readJobSecret(paths, "apiKey");
    if (!(await readJobSecret(paths, "credentials")) && apiKey) return apiKey;
    const access = await login.accessToken();
    return access.token ?? apiKey ?? { missing: missingJobCredential(access.reason) };
  };
  const rt: JobRuntime = {
    deps,
    paths,
    running: new Map(),
    starting: new Set(),
    bus: createJobBus(),
    models: {
      // Jobs may pick their model (Claude Code chooses per call); the base URL is read per request.
      ensure: (job, sessionDir) =>
        deps.models.ensure(
          { job },
          join(sessionDir, modelSocketDir, modelSocketName),
          async () => ({
            provider: "anthropic",
            model: null,
            upstream: (await readJobSettings(paths)).baseUrl,
            secret: jobModelSecret,
            budget: { tokensPerDay: null, requestsPerMinute: null },
          }),
          { credential },
        ),
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
      options.sessionId !== undefined || options.agent !== undefined
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
    start: (input, actor) => startJob(rt, input, actor),
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
