import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { highWatermark, lowWatermark, type ServerControl } from "../../shared/terminal-protocol";
import type { AuditLog } from "../audit/audit-log";
import {
  createScrollback,
  createTerminalManager,
  profileCommand,
  type TerminalClient,
} from "./terminal-sessions";
import { fakeExec, fakeLibpod, recordingAudit } from "./terminal-test-fixtures";
import { createTicketStore } from "./terminal-tickets";

const claim = { owner: "panel:abc", agent: "a1", profile: "shell" as const, args: [], cols: 80, rows: 24 };

describe("terminal tickets", () => {
  it("are single-use, bound to the login that asked, and expire", () => {
    let now = 1_000;
    const store = createTicketStore({ ttlMs: 30_000, now: () => now });
    const { ticket } = store.issue(claim);
    expect(store.redeem(ticket, "panel:other")).toBeUndefined(); // another login: refused, and burnt
    expect(store.redeem(ticket, "panel:abc")).toBeUndefined();
    const second = store.issue(claim).ticket;
    expect(store.redeem(second, "panel:abc")).toEqual(claim);
    expect(store.redeem(second, "panel:abc")).toBeUndefined();
    const late = store.issue(claim).ticket;
    now += 30_001;
    expect(store.redeem(late, "panel:abc")).toBeUndefined();
    expect(store.redeem("", "panel:abc")).toBeUndefined();
  });
});

describe("terminal plumbing", () => {
  it("keeps the newest bytes of scrollback only", () => {
    const ring = createScrollback(10);
    ring.push(Buffer.from("0123456"));
    ring.push(Buffer.from("789abc"));
    expect(ring.contents().toString()).toBe("3456789abc");
    ring.push(Buffer.from("0123456789ABCDEF"));
    expect(ring.contents().toString()).toBe("6789ABCDEF");
  });

  it("runs each profile as an argument vector, never through a shell string", () => {
    expect(profileCommand("shell", ["ignored"])).toEqual(["/bin/bash", "-l"]);
    expect(profileCommand("tui", [])).toEqual(["openclaw", "tui"]);
    expect(profileCommand("openclaw", ["status", "; rm -rf /"])).toEqual([
      "openclaw",
      "status",
      "; rm -rf /",
    ]);
  });
});

function recordingClient() {
  const controls: ServerControl[] = [];
  const closes: string[] = [];
  let received = 0;
  const client: TerminalClient = {
    output: (data) => {
      received += data.length;
    },
    control: (message) => void controls.push(message),
    close: (why = "ended") => void closes.push(why),
  };
  return { client, controls, closes, received: () => received };
}

/** A new shell's request, as the WebSocket route makes it. */
const openRequest = {
  agent: "a1",
  containerId: "c1",
  profile: "shell" as const,
  args: [],
  owner: "panel:abc",
  cols: 80,
  rows: 24,
};

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("terminal sessions", () => {
  it("never open a shell the audit log could not record", async () => {
    const { exec } = fakeExec([{ running: false, exitCode: 0 }]);
    const { libpod, started } = fakeLibpod(exec);
    const audit = {
      record: async () => {
        throw new Error("The disk holding CLAW_HOME is full.");
      },
    } as unknown as AuditLog;
    const manager = createTerminalManager({ libpod: async () => libpod, audit });
    await expect(manager.open({ ...openRequest, client: recordingClient().client })).rejects.toThrow(/full/);
    expect(started).toEqual([]);
  });

  it("run the profile on a TTY, pace output by the client's acks and report the exit", async () => {
    const { exec, stream, input, sizes } = fakeExec([{ running: false, exitCode: 0 }]);
    const { libpod, started } = fakeLibpod(exec);
    const { audit, events } = recordingAudit();
    const manager = createTerminalManager({ libpod: async () => libpod, audit });
    const watcher = recordingClient();
    const session = await manager.open({
      ...openRequest,
      profile: "tui",
      cols: 100,
      rows: 40,
      client: watcher.client,
    });
    expect(started).toEqual([
      {
        containerId: "c1",
        options: {
          command: ["openclaw", "tui"],
          tty: true,
          stdin: true,
          env: ["TERM=xterm-256color", "COLORTERM=truecolor"],
        },
      },
    ]);
    expect(sizes).toEqual([[100, 40]]);
    expect(watcher.controls).toEqual([{ type: "ready", terminalId: session.info.id, replayed: 0 }]);
    expect(events.map((event) => event.action)).toEqual(["terminal_opened"]);
    session.input("ls\r");
    expect(input).toEqual(["ls\r"]);

    // A flood the client does not ack: the exec is paused past the high mark, resumed below the low one.
    stream.push(Buffer.alloc(highWatermark + 1));
    await tick();
    expect(watcher.received()).toBe(highWatermark + 1);
    expect(stream.isPaused()).toBe(true);
    session.ack(highWatermark + 1 - lowWatermark - 1);
    expect(stream.isPaused()).toBe(true);
    session.ack(1);
    expect(stream.isPaused()).toBe(false);

    stream.push(null);
    await tick();
    await tick();
    expect(watcher.controls.at(-1)).toEqual({ type: "exit", code: 0, reason: "the program ended" });
    expect(watcher.closes).toEqual(["ended"]);
    expect(manager.list()).toEqual([]);
    expect(events.map((event) => event.action)).toEqual(["terminal_opened", "terminal_closed"]);
  });

  it("replay the scrollback to a re-attaching window and tell the old one it was replaced", async () => {
    const { exec, stream } = fakeExec([{ running: true, exitCode: null }]);
    const manager = createTerminalManager({
      libpod: async () => fakeLibpod(exec).libpod,
      audit: recordingAudit().audit,
    });
    const first = recordingClient();
    const session = await manager.open({ ...openRequest, client: first.client });
    stream.push(Buffer.from("hello"));
    await tick();
    expect(manager.attach(session.info.id, "panel:other", recordingClient().client)).toBeUndefined();
    const second = recordingClient();
    expect(manager.attach(session.info.id, "panel:abc", second.client)).toBe(session);
    expect(first.closes).toEqual(["replaced"]);
    expect(second.controls).toEqual([{ type: "ready", terminalId: session.info.id, replayed: 5 }]);
    expect(second.received()).toBe(5);
    manager.closeAll("a1", "the agent was stopped");
    await tick();
    expect(second.controls.at(-1)).toEqual({ type: "exit", code: null, reason: "the agent was stopped" });
  });

  it("hang up a program that outlives its closed terminal", async () => {
    const program = spawn("sleep", ["30"]);
    const exited = once(program, "exit");
    const { exec } = fakeExec([{ running: true, exitCode: null, pid: program.pid }]);
    const manager = createTerminalManager({
      libpod: async () => fakeLibpod(exec).libpod,
      audit: recordingAudit().audit,
    });
    const session = await manager.open({ ...openRequest, owner: "cli", client: recordingClient().client });
    session.close("closed by the user");
    expect(await exited).toEqual([null, "SIGHUP"]);
  });
});
