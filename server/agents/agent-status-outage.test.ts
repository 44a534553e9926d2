// The status sweep when Podman stops answering: a stand-in adapter, a real database and audit log.
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { createTestAuditLog, type TestAuditLog } from "../audit/audit-test-log";
import type { ContainerSummary, Libpod } from "../podman/libpod";
import { podmanNotAnswering } from "../podman/podman-errors";
import type { AgentStatusTracker } from "./agent-status";
import { createAgentRow, testStatusTracker } from "./agent-test-fixtures";

const runningContainer: ContainerSummary = {
  Id: "c0ffeeweb",
  Names: ["claw-agent-web"],
  State: "running",
  Labels: { "claw.agent": "web", "claw.home": "home" },
  StartedAt: 1,
  ExitCode: 0,
  Exited: false,
  Created: 1,
};

let log: TestAuditLog | undefined;
let tracker: AgentStatusTracker | undefined;
afterEach(async () => {
  tracker?.close();
  await log?.db.$disconnect();
});

describe("the status sweep while Podman does not answer", () => {
  it("marks agents unknown with Podman's error and the last known state, and keeps when it was last fresh", async () => {
    log = await createTestAuditLog();
    await createAgentRow(log.db, "web");
    const gone: string[] = [];
    let hung = false;
    let container = runningContainer;
    const libpod = {
      listContainers: async () => {
        if (hung) throw podmanNotAnswering("/run/podman/podman.sock", "GET /containers/json", 8_000);
        return [container];
      },
      sampleUsage: async () => new Map(),
      watchEvents: async () => new PassThrough(),
    } as unknown as Libpod;
    tracker = testStatusTracker(log, libpod, {
      probeReady: async () => true,
      onGone: async (name) => void gone.push(name),
    });

    const fresh = await tracker.refresh();
    expect(fresh.agents.web?.state).toBe("running");
    expect(fresh.freshAt).toBe(fresh.sweptAt);

    hung = true;
    for (let sweep = 0; sweep < 2; sweep++) {
      const stale = await tracker.refresh();
      expect(stale.podman).toEqual({
        reachable: false,
        error: expect.stringMatching(/^Podman is not answering at \/run\/podman\/podman\.sock/),
      });
      expect(stale.freshAt).toBe(fresh.freshAt);
      expect(stale.agents.web).toMatchObject({ state: "unknown", ready: false, containerId: "c0ffeeweb" });
      // A second sweep without an answer still knows what the agent was before.
      expect(stale.agents.web?.note).toBe(
        `Unknown: ${stale.podman.error}. Last known: running, as of ${fresh.freshAt}.`,
      );
    }
    expect(await log.db.auditEvent.count()).toBe(0);

    hung = false;
    const back = await tracker.refresh();
    expect(back.agents.web).toMatchObject({ state: "running", note: null });
    expect(back.freshAt).toBe(back.sweptAt);
    expect(gone).toEqual([]);

    // Killed while Podman did not answer: once it does, the agent is gone (its egress proxy
    // closes) and the kill is audited, though the sweep before read "unknown".
    hung = true;
    await tracker.refresh();
    hung = false;
    container = { ...runningContainer, State: "exited", ExitCode: 137, Exited: true };
    const killed = await tracker.refresh();
    expect(killed.agents.web?.state).toBe("exited");
    expect(gone).toEqual(["web"]);
    const events = await log.db.auditEvent.findMany({ select: { action: true } });
    expect(events.map((event) => event.action)).toEqual(["agent_exited"]);
  });
});
