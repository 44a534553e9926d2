import type { AgentService } from "../agents/agent-service";
import type { ClawPaths } from "../config";
import type { Db } from "../db/client";
import type { JobService } from "../jobs/job-service";
import type { AgentOps } from "./access-commands";
import { loadKnownSecrets } from "./redact-secrets";

/** The panel's own agent and job services, as the channels' commands use them. */
export function agentOpsOf(services: {
  agents: AgentService;
  jobs: JobService;
  db: Db;
  paths: ClawPaths;
}): AgentOps {
  const { agents, jobs, db } = services;
  return {
    status: (name) => agents.status.snapshot().agents[name] ?? null,
    start: (name, actor) => agents.start(name, actor),
    stop: (name, actor) => agents.stop(name, actor),
    logs: async (name, lines) => (await agents.logs(name, { tail: lines })).lines,
    // A chat job holds no credential (the model gateway adds it); its answer reaches the chat redacted.
    startJob: (input, actor) => jobs.start(input, actor),
    sessionOpen: async (id) => (await db.jobSession.count({ where: { id, closedAt: null } })) > 0,
    secrets: () => loadKnownSecrets(services.paths),
  };
}
