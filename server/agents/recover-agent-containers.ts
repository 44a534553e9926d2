import type { AuditEventInput } from "../audit/audit-chain";
import type { AuditLog } from "../audit/audit-log";
import type { ClawPaths } from "../config";
import type { Db } from "../db/client";
import type { HostKey } from "../keys/host-key";
import { type ConformanceFinding, checkConformance, readProcessFacts } from "../podman/conformance";
import { type ContainerSummary, homeLabel, type Libpod } from "../podman/libpod";
import type { ContainerSpec } from "../policy/compile-container-spec";
import { verifyPolicy } from "../policy/verify-policy";
import { agentFilePaths, readAgentFiles } from "./agent-files";
import { agentIdRangeSize } from "./agent-id-range";
import { downActions, type LastSight, lastSightOf } from "./last-sight";

export type ContainerRecoveryDeps = {
  paths: Pick<ClawPaths, "agents">;
  db: Db;
  audit: AuditLog;
  hostKey: Pick<HostKey, "publicKey">;
  homeId: string;
};

/** A container that fails its check is stopped without waiting out a long grace period. */
const failedStopSeconds = 10;

/**
 * Once Podman answers after the panel starts, before the first status sweep: every agent
 * container of this home is compared with what the audit log last saw of it. A running one (this
 * panel run started none yet) is checked against its lock and spec, as a start checks it, and
 * adopted — or stopped if it fails; one created by a start that was cut short is removed; one that
 * stopped or vanished while the panel was down is recorded. Job containers are the job service's.
 */
export async function recoverAgentContainers(deps: ContainerRecoveryDeps, libpod: Libpod): Promise<string[]> {
  const containers = await libpod.listContainers(`${homeLabel}=${deps.homeId}`);
  const byAgent = new Map<string, ContainerSummary>();
  for (const container of containers) {
    const agent = container.Labels?.["claw.agent"];
    if (agent) byAgent.set(agent, container);
  }
  const done: string[] = [];
  const rows = await deps.db.agent.findMany({
    select: { name: true, idBase: true },
    orderBy: { name: "asc" },
  });
  for (const row of rows) {
    // One agent's trouble (a stop Podman refused) does not keep the others unchecked.
    const line = await reconcile(
      deps,
      libpod,
      row,
      byAgent.get(row.name),
      await lastSightOf(deps.db, row.name),
    ).catch(
      (error: unknown) =>
        `${row.name}: could not be reconciled: ${error instanceof Error ? error.message : error}`,
    );
    if (line) done.push(line);
  }
  return done;
}

async function reconcile(
  deps: ContainerRecoveryDeps,
  libpod: Libpod,
  row: { name: string; idBase: number | null },
  container: ContainerSummary | undefined,
  sight: LastSight | undefined,
): Promise<string | undefined> {
  const name = row.name;
  const record = (action: string, outcome: "ok" | "error", details: AuditEventInput["details"]) =>
    deps.audit.record({ category: "lifecycle", action, actor: "system", agent: name, outcome, details });

  if (!container) {
    if (!sight?.running) return undefined;
    await record(downActions.removed, "error", { containerId: sight.containerId });
    return `${name}: its container was removed while the panel was down`;
  }
  if (container.State === "running") return adopt(deps, libpod, row, container, sight);
  if (container.State === "created" || container.State === "configured") {
    // Created and never started: a start cut short between the two.
    await libpod.removeContainer(container.Id, { force: true });
    await record("agent_start_interrupted", "error", {
      containerId: container.Id,
      state: container.State,
      removed: true,
    });
    return `${name}: removed a container a start cut short had created`;
  }
  if (container.State !== "exited" && container.State !== "stopped") return undefined;
  if (sight?.running) {
    await record(downActions.exited, "error", {
      containerId: container.Id,
      exitCode: container.ExitCode,
      ...(sight.containerId && sight.containerId !== container.Id ? { lastSeen: sight.containerId } : {}),
    });
    return `${name}: stopped while the panel was down (exit code ${container.ExitCode})`;
  }
  if (container.Id !== sight?.containerId) {
    // Started by a start cut short, and ended before the panel came back: never checked nor audited.
    await record("agent_start_interrupted", "error", {
      containerId: container.Id,
      state: container.State,
      exitCode: container.ExitCode,
      removed: false,
    });
    return `${name}: a start cut short had run a container, which has ended`;
  }
  return undefined;
}

/** The start's own checks on a container this panel run did not start: the lock, then conformance. */
async function adopt(
  deps: ContainerRecoveryDeps,
  libpod: Libpod,
  row: { name: string; idBase: number | null },
  container: ContainerSummary,
  sight: LastSight | undefined,
): Promise<string> {
  const name = row.name;
  const { findings, spec } = await checkRunning(deps, libpod, row, container.Id);
  const passed = findings.length === 0;
  await deps.audit.record({
    category: "lifecycle",
    action: "agent_adopted",
    actor: "system",
    agent: name,
    outcome: passed ? "ok" : "error",
    details: {
      containerId: container.Id,
      conformance: passed ? "passed" : "failed",
      ...(passed ? {} : { findings }),
      lastSeen: sight ? { action: sight.action, containerId: sight.containerId } : null,
      startedAt: container.StartedAt ? new Date(container.StartedAt * 1000).toISOString() : null,
    },
  });
  if (passed) return `${name}: adopted its running container (conformance passed)`;
  await libpod.stopContainer(
    container.Id,
    Math.min(spec?.stopTimeoutSeconds ?? failedStopSeconds, failedStopSeconds),
  );
  const after = await libpod.inspectContainer(container.Id).catch(() => undefined);
  await deps.audit.record({
    category: "lifecycle",
    action: "agent_stopped",
    actor: "system",
    agent: name,
    outcome: "error",
    details: {
      containerId: container.Id,
      exitCode: after?.State.ExitCode ?? null,
      reason: "its running container failed the checks on adoption",
    },
  });
  return `${name}: stopped its running container, which failed the checks on adoption`;
}

async function checkRunning(
  deps: ContainerRecoveryDeps,
  libpod: Libpod,
  row: { name: string; idBase: number | null },
  id: string,
): Promise<{ findings: ConformanceFinding[]; spec?: ContainerSpec }> {
  const files = await readAgentFiles(deps.paths.agents, row.name);
  // The spec is trusted only as far as its lock: a spec edited while the panel was down proves nothing.
  const verdict = verifyPolicy({ agent: row.name, files, publicKey: deps.hostKey.publicKey });
  if (verdict.state !== "ok" || !files.containerSpecJson)
    return {
      findings: [
        {
          setting: "policy lock",
          expected: "ok",
          actual: `${verdict.state}: ${verdict.findings.map((finding) => finding.message).join("; ")}`,
        },
      ],
    };
  const spec = JSON.parse(files.containerSpecJson) as ContainerSpec;
  const inspect = await libpod.inspectContainer(id);
  const facts =
    inspect?.State.Running && inspect.State.Pid
      ? await readProcessFacts(inspect.State.Pid).catch(() => undefined)
      : undefined;
  if (!inspect || !facts)
    return { spec, findings: [{ setting: "process", expected: "running", actual: "not readable in /proc" }] };
  const idMapping =
    spec.userns.mode === "auto" && row.idBase !== null
      ? { hostBase: row.idBase, size: agentIdRangeSize }
      : undefined;
  const agentDir = agentFilePaths(deps.paths.agents, row.name).dir;
  return { spec, findings: checkConformance({ spec, agentDir, inspect, process: facts, idMapping }) };
}
