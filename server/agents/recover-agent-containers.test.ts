// What the panel's start makes of the containers it finds, against a stand-in for the libpod
// adapter (test/crash.test.ts and test/fault-panel-down.test.ts drive the real one); the database,
// audit log, key and agent files are real.

import { writeFile } from "node:fs/promises";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { createTestAuditLog, type TestAuditLog } from "../audit/audit-test-log";
import type { ContainerSummary, Libpod, LibpodInspect } from "../podman/libpod";
import { agentFilePaths } from "./agent-files";
import type { AgentStatusTracker } from "./agent-status";
import { testAgentDeps, testStatusTracker } from "./agent-test-fixtures";
import { createAgent } from "./create-agent";
import { recoverAgentContainers } from "./recover-agent-containers";

let log: TestAuditLog | undefined;
let tracker: AgentStatusTracker | undefined;
afterEach(async () => {
  tracker?.close();
  await log?.audit.close();
  await log?.db.$disconnect();
  log = undefined;
});

const container = (agent: string, id: string, State: string, ExitCode = 0): ContainerSummary => ({
  Id: id,
  Names: [`claw-agent-${agent}`],
  State,
  Labels: { "claw.agent": agent, "claw.home": "home" },
  StartedAt: 1_700_000_000,
  ExitCode,
  Exited: State === "exited",
  Created: 1,
});

describe("recoverAgentContainers", () => {
  it("records what happened while the panel was down, removes a half-started container, and stops one that fails its checks", async () => {
    log = await createTestAuditLog();
    const deps = testAgentDeps(log);
    const { paths } = deps;
    for (const name of ["exited", "removed", "half", "tampered", "quiet"])
      await createAgent(deps, { name, template: "reviewer", actor: "cli" });
    const started = (agent: string, containerId: string) =>
      log?.audit.record({
        category: "lifecycle",
        action: "agent_started",
        actor: "cli",
        agent,
        outcome: "ok",
        details: { containerId, conformance: "passed" },
      });
    await started("exited", "c-exited");
    await started("removed", "c-removed");
    await started("quiet", "c-quiet");
    await log.audit.record({
      category: "lifecycle",
      action: "agent_stopped",
      actor: "cli",
      agent: "quiet",
      outcome: "ok",
      details: { containerId: "c-quiet", exitCode: 143 },
    });
    // Edited while the panel was down: its running container proves nothing against it.
    await writeFile(agentFilePaths(paths.agents, "tampered").containerSpecJson, "{}\n");

    const listed = [
      container("exited", "c-exited", "exited", 137),
      container("half", "c-half", "created"),
      container("tampered", "c-tampered", "running"),
      container("quiet", "c-quiet", "exited", 143),
    ];
    const calls: string[] = [];
    const libpod = {
      listContainers: async () => listed,
      removeContainer: async (id: string) => {
        calls.push(`remove ${id}`);
        listed.splice(
          listed.findIndex((c) => c.Id === id),
          1,
        );
      },
      stopContainer: async (id: string, seconds: number) => {
        calls.push(`stop ${id} ${seconds}`);
        const stopped = listed.find((c) => c.Id === id);
        if (stopped) Object.assign(stopped, { State: "exited", ExitCode: 143 });
      },
      inspectContainer: async (id: string) =>
        ({ Id: id, State: { Running: false, ExitCode: 143, Pid: 0 } }) as unknown as LibpodInspect,
      sampleUsage: async () => new Map(),
      watchEvents: async () => new PassThrough(),
      openLogs: async () => new PassThrough().end(),
    } as unknown as Libpod;

    const recoveryDeps = { paths, db: log.db, audit: log.audit, hostKey: log.hostKey, homeId: "home" };
    const lines = await recoverAgentContainers(recoveryDeps, libpod);
    expect(lines).toEqual([
      "exited: stopped while the panel was down (exit code 137)",
      "half: removed a container a start cut short had created",
      "removed: its container was removed while the panel was down",
      "tampered: stopped its running container, which failed the checks on adoption",
    ]);
    expect(calls).toEqual(["remove c-half", "stop c-tampered 10"]);
    const events = await log.db.auditEvent.findMany({ where: { actor: "system" }, orderBy: { id: "asc" } });
    expect(events.map((e) => [e.agent, e.action, e.outcome])).toEqual([
      ["exited", "agent_exited_while_down", "error"],
      ["half", "agent_start_interrupted", "error"],
      ["removed", "agent_removed_while_down", "error"],
      ["tampered", "agent_adopted", "error"],
      ["tampered", "agent_stopped", "error"],
    ]);
    const adopted = JSON.parse(events[3]?.details ?? "{}") as { conformance: string; findings: unknown[] };
    expect(adopted.conformance).toBe("failed");
    expect(JSON.stringify(adopted.findings)).toContain("artifact_tamper");

    // Recovery again (the next start) finds nothing new to say.
    expect(await recoverAgentContainers(recoveryDeps, libpod)).toEqual([]);

    // The status says what happened, and keeps saying it until the agent's container changes.
    tracker = testStatusTracker(log, libpod);
    const first = await tracker.refresh();
    expect(first.agents.exited).toMatchObject({
      state: "exited",
      note: expect.stringMatching(/^Stopped while the panel was down \(exit code 137\)\./),
    });
    expect(first.agents.removed).toMatchObject({
      state: "missing",
      note: "Its container was removed while the panel was down.",
    });
    expect(first.agents.quiet).toMatchObject({ state: "stopped", note: null });
    expect(first.agents.half).toMatchObject({ state: "stopped", note: null });
    const second = await tracker.refresh();
    expect(second.agents.removed?.note).toBe("Its container was removed while the panel was down.");
    listed.push(container("removed", "c-new", "running"));
    const third = await tracker.refresh();
    expect(third.agents.removed).toMatchObject({ state: "running", note: null });
  });
});
