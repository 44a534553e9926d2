// The status sweep against a stand-in for the libpod adapter (the real one is driven by
// test/agent-lifecycle.test.ts); the database and audit log are real.
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { createTestAuditLog, type TestAuditLog } from "../audit/audit-test-log";
import type { ContainerSummary, Libpod } from "../podman/libpod";
import { type AgentStatusTracker, lastMeaningfulLine } from "./agent-status";
import { createAgentRow, testStatusTracker } from "./agent-test-fixtures";

/** One Docker log frame (stream 1 stdout, 2 stderr) around `text`. */
const frame = (stream: 1 | 2, text: string) => {
  const header = Buffer.alloc(8);
  header.writeUInt8(stream, 0);
  header.writeUInt32BE(Buffer.byteLength(text), 4);
  return Buffer.concat([header, Buffer.from(text)]);
};

function exitedContainer(agent: string, exitCode: number): ContainerSummary {
  return {
    Id: `c0ffee${agent}`,
    Names: [`claw-agent-${agent}`],
    State: "exited",
    Labels: { "claw.agent": agent, "claw.home": "home" },
    StartedAt: 1,
    ExitCode: exitCode,
    Exited: true,
    Created: 1,
  };
}

let log: TestAuditLog | undefined;
let tracker: AgentStatusTracker | undefined;
afterEach(async () => {
  tracker?.close();
  await log?.db.$disconnect();
});

describe("the status of an agent that exited on its own", () => {
  it("says the exit code and, once read, the last line its container wrote", async () => {
    log = await createTestAuditLog();
    await createAgentRow(log.db, "web");
    let logReads = 0;
    const libpod = {
      listContainers: async () => [exitedContainer("web", 78)],
      sampleUsage: async () => new Map(),
      watchEvents: async () => new PassThrough(),
      async openLogs() {
        logReads++;
        const stream = new PassThrough();
        stream.end(
          Buffer.concat([
            frame(1, "gateway starting\n"),
            frame(2, "\u001b[31mError: EACCES: permission denied, scandir '/workspace'\u001b[0m\n\n"),
          ]),
        );
        return stream;
      },
    } as unknown as Libpod;
    tracker = testStatusTracker(log, libpod);

    const first = await tracker.refresh();
    expect(first.agents.web).toMatchObject({ state: "exited", exitCode: 78 });
    expect(first.agents.web?.note).toMatch(/^Exited on its own with code 78\./);

    // The log is read in the background; the sweep it schedules shows the line.
    let note: string | null | undefined;
    for (let i = 0; i < 100 && !note?.includes("last line"); i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      note = (await tracker.refresh()).agents.web?.note;
    }
    expect(note).toBe(
      "Exited on its own with code 78. Its last line: Error: EACCES: permission denied, scandir '/workspace'",
    );
    // Once per container, not once per sweep.
    await tracker.refresh();
    expect(logReads).toBe(1);
  });
});

describe("onGone: an agent that stopped without the panel", () => {
  /** A tracker over `containers` (changed between sweeps), recording each onGone call. */
  async function track(agents: string[], containers: ContainerSummary[]) {
    log = await createTestAuditLog();
    for (const name of agents) await createAgentRow(log.db, name);
    const gone: string[] = [];
    const libpod = {
      listContainers: async () => containers,
      sampleUsage: async () => new Map(),
      watchEvents: async () => new PassThrough(),
      openLogs: async () => new PassThrough().end(),
    } as unknown as Libpod;
    tracker = testStatusTracker(log, libpod, { onGone: async (name) => void gone.push(name) });
    return { gone, tracker };
  }

  const running = (agent: string): ContainerSummary => ({
    ...exitedContainer(agent, 0),
    State: "running",
    Exited: false,
  });

  it("is called when a container the last sweep saw running has exited", async () => {
    const containers = [running("web")];
    const { gone, tracker } = await track(["web"], containers);
    await tracker.refresh();
    await tracker.refresh();
    expect(gone).toEqual([]);

    containers[0] = exitedContainer("web", 137);
    const after = await tracker.refresh();
    expect(after.agents.web?.state).toBe("exited");
    expect(gone).toEqual(["web"]);
    // Once: a later sweep that finds it still exited calls nothing more.
    await tracker.refresh();
    expect(gone).toEqual(["web"]);
  });

  it("is called once per panel run for each agent the first sweep finds not running", async () => {
    const { gone, tracker } = await track(
      ["crashed", "stopped", "missing", "up"],
      [exitedContainer("crashed", 1), exitedContainer("stopped", 0), running("up")],
    );
    const first = await tracker.refresh();
    expect(first.agents).toMatchObject({
      crashed: { state: "exited" },
      stopped: { state: "stopped" },
      missing: { state: "stopped", containerId: null },
      up: { state: "running" },
    });
    expect(gone.sort()).toEqual(["crashed", "missing", "stopped"]);
    await tracker.refresh();
    await tracker.refresh();
    expect(gone.sort()).toEqual(["crashed", "missing", "stopped"]);
  });
});

describe("lastMeaningfulLine", () => {
  it("takes the last line with text, without escape sequences or control characters", () => {
    expect(lastMeaningfulLine(["first", "  second\u0007 ", "", "   "])).toBe("second");
    expect(lastMeaningfulLine(["\u001b[1;31mred\u001b[0m"])).toBe("red");
    expect(lastMeaningfulLine([])).toBe("");
  });

  it("cuts a long line to 300 characters", () => {
    const line = lastMeaningfulLine(["x".repeat(1000)]);
    expect(line).toHaveLength(300);
    expect(line.endsWith("…")).toBe(true);
  });
});
