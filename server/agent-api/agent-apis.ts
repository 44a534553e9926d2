import type { AuditLog } from "../audit/audit-log";
import { canonicalJson } from "../audit/canonical-json";
import { type AgentJobsDeps, createAgentJobStarter, endAgentJobs } from "../jobs/agent-jobs";
import type { ContainerSpec } from "../policy/compile-container-spec";
import { startAgentApi } from "./agent-api";

/** Every running agent's API socket, by agent; only agents whose policy allows jobs have one. */
export type AgentApis = {
  /** Listens at `socketPath` with the policy of `spec` (verified at start); closes it when the policy allows no jobs. */
  ensure(name: string, socketPath: string, spec: ContainerSpec): Promise<void>;
  close(name: string): Promise<void>;
  /** The agent is deleted: its socket closes and its jobs are cancelled. */
  forget(name: string, actor: string): Promise<void>;
  closeAll(): Promise<void>;
};

export function createAgentApis(deps: { jobs: () => AgentJobsDeps; audit: AuditLog }): AgentApis {
  const open = new Map<string, { key: string; server: Promise<{ close(): Promise<void> }> }>();
  let start: ReturnType<typeof createAgentJobStarter> | undefined;

  async function close(name: string) {
    const entry = open.get(name);
    if (!entry) return;
    open.delete(name);
    await (await entry.server.catch(() => undefined))?.close();
  }

  return {
    async ensure(name, socketPath, spec) {
      const policy = spec.jobs;
      if (!policy) return close(name);
      const key = `${socketPath}\n${canonicalJson(policy)}`;
      const entry = open.get(name);
      if (entry?.key === key) {
        await entry.server;
        return;
      }
      // Taken before the first await: an ensure or close that comes meanwhile finds this server, and
      // two ensures at once cannot both listen on the socket (leaving one that is never closed).
      const server = (async () => {
        await (await entry?.server.catch(() => undefined))?.close();
        const jobs = deps.jobs();
        start ??= createAgentJobStarter(jobs);
        return startAgentApi({ agent: name, socketPath, policy, jobs, start, audit: deps.audit });
      })();
      open.set(name, { key, server });
      try {
        await server;
      } catch (error) {
        if (open.get(name)?.server === server) open.delete(name);
        throw error;
      }
    },
    close,
    async forget(name, actor) {
      await close(name);
      await endAgentJobs(deps.jobs(), name, actor);
    },
    async closeAll() {
      await Promise.all([...open.keys()].map(close));
    },
  };
}
