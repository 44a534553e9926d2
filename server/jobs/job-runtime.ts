import { openSync } from "node:fs";
import type { AuditLog } from "../audit/audit-log";
import type { ClawPaths } from "../config";
import type { Db } from "../db/client";
import type { EgressProxies } from "../egress/egress-proxies";
import type { ModelGateways } from "../models/model-gateways";
import type { Libpod } from "../podman/libpod";
import type { SecretStore } from "../secrets/secret-store";
import type { JobBus } from "./job-bus";
import type { JobNotice } from "./job-notify";
import type { JobsPaths } from "./job-settings";
import type { JobTemplate } from "./job-template";
import { factsOfLine, type JobResult, type LimitError } from "./stream-json";

export type JobsDeps = {
  db: Db;
  audit: AuditLog;
  paths: ClawPaths;
  homeId: string;
  libpod: () => Promise<Libpod>;
  rootless: () => Promise<boolean>;
  egress: Pick<EgressProxies, "ensure" | "close" | "overrides">;
  /** Shared with agents: one model gateway per running agent or job. */
  models: ModelGateways;
  /** Where the model key (the secret anthropic-api-key) is kept. */
  secrets: SecretStore;
  /** Tells an agent that a job it started ended, on its Gateway's hook. */
  agentHooks: { notify(agent: string, notice: JobNotice): Promise<HookResult> };
};

export type HookResult = { ok: boolean; status: number | null; error: string | null };

export type MetricSample = { t: number; cpuPercent: number; memoryBytes: number };

/** A job whose container runs now: counters in memory, written to its row every second. */
export type RunningJob = {
  id: string;
  sessionId: string;
  /** The agent that started it through its agent API; null when a person did. */
  agent: string | null;
  containerId: string;
  template: JobTemplate;
  startedAt: number;
  lastOutputAt: number | null;
  outputBytes: number;
  eventCount: number;
  sawInit: boolean;
  openTools: Set<string>;
  result: JobResult | null;
  claudeSessionId: string | null;
  stoppedFor: LimitError | "cancelled" | null;
  limitMessage?: string;
  cancelledBy: string | null;
  metrics: MetricSample[];
  /** The events file, written synchronously: a reader that subscribed first never misses a line; -1 once closed. */
  events: number;
  dirty: boolean;
  /** Ends the log stream and the wait when the panel shuts down (the container keeps running). */
  abort: AbortController;
};

/**
 * What the queue, launch, follow, finish and recover steps share, built once by `createJobService`:
 * each step is a plain function of it.
 */
/** A job's model gateway, by job id, on its session's socket. */
export type JobModelGateways = {
  ensure(job: string, sessionDir: string): Promise<void>;
  close(job: string): Promise<void>;
  closeAll(): Promise<void>;
};

export type JobRuntime = {
  deps: JobsDeps;
  paths: JobsPaths;
  /** The jobs whose container runs now, by id. */
  running: Map<string, RunningJob>;
  /** Sessions whose next job is being started: one at a time per session. */
  starting: Set<string>;
  bus: JobBus;
  /** Jobs call the model through the panel's model gateway: the API key or OAuth login stays in the panel. */
  models: JobModelGateways;
  /** Set when the service closes: nothing starts or finishes after it. */
  closed: boolean;
  /** Starts the session's oldest pending job if none of its jobs runs (the queue's; called when one ends). */
  pump(sessionId: string): Promise<void>;
};

export async function auditJob(
  rt: JobRuntime,
  action: string,
  actor: string,
  outcome: "ok" | "error" | "denied",
  details: object,
  /** The agent that started the job, so its events are found under that agent too. */
  agent?: string | null,
) {
  await rt.deps.audit.record({
    category: "job",
    action,
    actor,
    agent: agent ?? null,
    outcome,
    details: details as never,
  });
}

export function newRunningJob(
  fields: Pick<RunningJob, "id" | "sessionId" | "agent" | "containerId" | "template" | "startedAt"> & {
    eventsPath: string;
  },
): RunningJob {
  const { eventsPath, ...rest } = fields;
  return {
    ...rest,
    lastOutputAt: null,
    outputBytes: 0,
    eventCount: 0,
    sawInit: false,
    openTools: new Set(),
    result: null,
    claudeSessionId: null,
    stoppedFor: null,
    cancelledBy: null,
    metrics: [],
    events: openSync(eventsPath, "a", 0o600),
    dirty: true,
    abort: new AbortController(),
  };
}

/** What a stored or new line tells about the job: started, its Claude session, open tool calls, the result. */
export function applyFacts(job: RunningJob, line: string) {
  const facts = factsOfLine(line);
  if (facts.kind === "init") job.sawInit = true;
  if (facts.sessionId) job.claudeSessionId = facts.sessionId;
  for (const id of facts.toolUses) job.openTools.add(id);
  for (const id of facts.toolResults) job.openTools.delete(id);
  if (facts.result) job.result = facts.result;
}
