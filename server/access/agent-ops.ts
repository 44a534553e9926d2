import { startAgent, stopAgent } from "../agents/agent-lifecycle";
import { readAgentLogs } from "../agents/agent-logs";
import { lifecycleDepsOf } from "../agents/agent-runtime";
import type { PanelServices } from "../panel/panel-services";
import type { AgentOps } from "./access-commands";
import { loadKnownSecrets } from "./redact-secrets";

/** The panel's own agent and job services, as the channels' commands use them. */
export function agentOpsOf(services: PanelServices): AgentOps {
  const lifecycle = lifecycleDepsOf(services);
  return {
    status: (name) => services.agents.status.snapshot().agents[name] ?? null,
    start: (name, actor) => startAgent(lifecycle, name, actor),
    stop: (name, actor) => stopAgent(lifecycle, name, actor),
    logs: async (name, lines) => (await readAgentLogs(lifecycle, name, { tail: lines })).lines,
    // A chat job's answer goes back to the chat: the job service refuses one that would hold a login.
    startJob: (input, actor) => services.jobs.start(input, actor, { fromChat: true }),
    sessionOpen: async (id) => (await services.db.jobSession.count({ where: { id, closedAt: null } })) > 0,
    secrets: () => loadKnownSecrets(services.paths),
  };
}
