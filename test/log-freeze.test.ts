import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { rm } from "node:fs/promises";
import type { Socket } from "node:net";
import { dirname } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { maxLogLineChars } from "../server/podman/log-stream";
import { memoryOf, runFloodContainer } from "./log-flood";
import { runCli } from "./run-cli";
import { cliEnvOf, loginToPanel, type RunningPanel, startPanel } from "./start-panel";
import { waitFor } from "./wait-for";

const exec = promisify(execFile);
const mi = 1024 * 1024;

/**
 * Asks `/api/health` in turn, from a process of its own (this one is busy reading the views), until
 * stopped; the times in ms, -1 for an answer that was not 200.
 */
function startHealthProbe(url: string) {
  const script = `
    let stopped = false;
    process.stdin.on("end", () => { stopped = true; }).resume();
    (async () => {
      const times = [];
      while (!stopped) {
        const started = performance.now();
        const answer = await fetch(process.argv[1] + "/api/health");
        await answer.arrayBuffer();
        times.push(answer.ok ? performance.now() - started : -1);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      process.stdout.write(JSON.stringify(times));
    })();`;
  const child = spawn(process.execPath, ["-e", script, url], { stdio: ["pipe", "pipe", "inherit"] });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = once(child, "exit");
  return {
    async stop(): Promise<number[]> {
      child.stdin.end();
      await exited;
      return JSON.parse(output) as number[];
    },
  };
}

/** A Logs view's socket: the lines it was sent, what it was told it missed, and how it closed. */
class LogsClient {
  lines: string[] = [];
  skipped = 0;
  closed: string | undefined;
  private readonly ws: WebSocket;

  constructor(url: string, headers: Record<string, string>) {
    this.ws = new WebSocket(url, { headers });
    this.ws.on("message", (data) => {
      const message = JSON.parse(String(data)) as { type: string; lines?: string[] | number };
      if (message.type === "lines" && Array.isArray(message.lines)) this.lines.push(...message.lines);
      if (message.type === "skipped" && typeof message.lines === "number") this.skipped += message.lines;
    });
    this.ws.on("close", (code, reason) => {
      this.closed = `${code} ${reason}`;
    });
  }

  has(text: string) {
    return this.lines.some((line) => line.endsWith(` ${text}`));
  }

  waitForLine(text: string) {
    return waitFor(`"${text}" over the socket`, async () => (this.has(text) ? true : undefined));
  }

  /** Stops reading the connection, as a browser tab too busy to take more; the bytes queue up behind it. */
  pause() {
    this.socket().pause();
  }

  resume() {
    this.socket().resume();
  }

  close() {
    this.ws.close();
  }

  private socket() {
    // ws keeps the TCP socket private; pausing it is the only way to stop reading without closing.
    return (this.ws as unknown as { _socket: Socket })._socket;
  }
}

/**
 * Issue 20, item 2: 50 MB without a newline on an agent's main output while the Logs view follows
 * it. The panel must keep answering (its event loop never held for long) and give back the memory the
 * burst took. As in agent-log-containment.test.ts, the agent's container is one whose main process is
 * the flood (an agent's shell cannot write to the container's stdout), with the agent's name and labels,
 * so the panel finds and follows it exactly as the real one. The flood waits for the sockets to be open.
 * A line longer than the cap reaches the view once, cut with a marker; a view that stops reading is
 * told how many lines it missed, not closed.
 */
describe("an agent's line without a newline, followed in the Logs view", () => {
  let panel: RunningPanel;
  let cookie: string;
  const name = `logfreeze-${randomBytes(3).toString("hex")}`;
  const container = `claw-agent-${name}`;

  beforeAll(async () => {
    panel = await startPanel();
    const created = await runCli(
      ["agents", "create", "--template", "coder", "--name", name],
      cliEnvOf(panel),
    );
    expect(created.code, created.stderr).toBe(0);
    const login = await loginToPanel(panel, await panel.token());
    cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  }, 120_000);

  afterAll(async () => {
    await exec("podman", ["rm", "-f", "-t", "0", container]).catch(() => {});
    await panel?.stop();
    if (panel) await rm(dirname(panel.home), { recursive: true, force: true });
  });

  it("keeps /api/health answering, cuts the line for the view, skips for a slow view and gives the memory back", async () => {
    await runFloodContainer(
      panel,
      container,
      name,
      [
        "echo before-the-flood",
        "until [ -e /tmp/go ]; do sleep 0.2; done",
        "head -c 50000000 /dev/zero | tr '\\0' a",
        "echo",
        // Then many short lines: more than a reader that does not read can be sent.
        "seq 1 400000",
        "echo after-the-flood",
        "until [ -e /tmp/done ]; do sleep 0.2; done",
        "echo the-end",
        "sleep 600",
      ].join("; "),
    );

    // Two Logs views: one reading all it is sent, one whose connection stops reading during the flood.
    const fast = new LogsClient(`${panel.url.replace("http", "ws")}/ws/agents/${name}/logs?tail=500`, {
      cookie,
      origin: panel.url,
    });
    const slow = new LogsClient(`${panel.url.replace("http", "ws")}/ws/agents/${name}/logs?tail=500`, {
      cookie,
      origin: panel.url,
    });
    await fast.waitForLine("before-the-flood");
    await slow.waitForLine("before-the-flood");
    slow.pause();

    const pid = panel.process.pid as number;
    const baselineProbe = startHealthProbe(panel.url);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const baseline = await baselineProbe.stop();
    const before = await memoryOf(pid);

    // The flood, with /api/health asked in turn until the reading view has the line after it.
    await exec("podman", ["exec", container, "touch", "/tmp/go"]);
    const probe = startHealthProbe(panel.url);
    let peak = before.rss;
    const deadline = Date.now() + 240_000;
    while (!fast.has("after-the-flood") && fast.closed === undefined) {
      if (Date.now() > deadline) throw new Error("the line after the flood did not arrive within 240 s");
      peak = Math.max(peak, (await memoryOf(pid)).rss);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    slow.resume();
    await waitFor("the slow view to be told it missed lines, or closed", async () =>
      slow.skipped > 0 || slow.closed !== undefined ? true : undefined,
    );
    await exec("podman", ["exec", container, "touch", "/tmp/done"]);
    await waitFor("the last line in both views, or a view closed", async () =>
      (fast.has("the-end") && slow.has("the-end")) || fast.closed || slow.closed ? true : undefined,
    );
    const during = await probe.stop();

    // Memory comes back once the burst is over (V8 gives pages back after a collection).
    let after = await memoryOf(pid);
    for (let i = 0; i < 30 && after.rss - before.rss > 100 * mi; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      after = await memoryOf(pid);
    }
    fast.close();
    slow.close();

    const flood = fast.lines.filter((line) => line.includes("aaaaaaaaaa"));
    const slowest = Math.max(...during);
    const report = [
      `/api/health: baseline max ${Math.max(...baseline).toFixed(1)} ms, during the flood max ${slowest.toFixed(1)} ms (${during.length} asks)`,
      `panel RSS: before ${(before.rss / mi).toFixed(0)} MiB, peak ${(peak / mi).toFixed(0)} MiB, after ${(after.rss / mi).toFixed(0)} MiB`,
      `reading view: ${fast.lines.length} lines, ${flood.length} of the flood (${flood.reduce((sum, line) => sum + line.length, 0)} characters), closed ${fast.closed}`,
      `slow view: ${slow.lines.length} lines, told ${slow.skipped} were skipped, closed ${slow.closed}`,
      `flood lines: ${JSON.stringify(flood.map((line) => `${line.slice(0, 40)}…${line.slice(-80)}`))}`,
    ].join("\n");
    console.log(report);

    // The reading view: the line cut once, with a marker, and everything after it.
    expect(fast.closed, report).toBeUndefined();
    expect(flood, report).toHaveLength(1);
    expect(flood[0], report).toMatch(/\[cut: .*\]$/);
    expect(flood[0]?.length, report).toBeLessThan(maxLogLineChars + 200);
    expect(fast.has("400000"), report).toBe(true);
    expect(fast.has("the-end"), report).toBe(true);
    // The view that stopped reading: still open, told what it missed, and following again.
    expect(slow.closed, report).toBeUndefined();
    expect(slow.skipped, report).toBeGreaterThan(0);
    expect(slow.has("the-end"), report).toBe(true);
    // A liveness bound, not a performance figure: the baseline is milliseconds.
    expect(Math.min(...during), report).toBeGreaterThan(0);
    expect(slowest, report).toBeLessThan(1000);
    // The burst's garbage (tens of MiB alone; more while parallel suites starve the collector of CPU),
    // never the flood held: then the memory comes back.
    expect(peak - before.rss, report).toBeLessThan(300 * mi);
    expect(after.rss - before.rss, report).toBeLessThan(100 * mi);
  }, 420_000);
});
