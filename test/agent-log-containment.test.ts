import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { dirname } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { maxLogLineChars } from "../server/podman/log-stream";
import { memoryOf, runFloodContainer } from "./log-flood";
import { runCli } from "./run-cli";
import { cliEnvOf, loginToPanel, type RunningPanel, startPanel } from "./start-panel";

const exec = promisify(execFile);
const mi = 1024 * 1024;

/**
 * Issue 15, item 4: an agent's process writes 200 MB without a newline to its stdout. Inside a
 * rootful user namespace an agent's shell cannot reopen the container's stdout (the pipe belongs to
 * the host's root), so the agent's container here is one whose main process is the flood: the same
 * name and labels as the agent's, found by the panel exactly as the real one is. The panel's reading of
 * the last lines must cut the line, stay up, and keep
 * memory bounded. (The live tail over the WebSocket is test/log-freeze.test.ts.)
 */
describe("agent logs against a flood without a newline", () => {
  let panel: RunningPanel;
  let env: Record<string, string>;
  const name = `logflood-${randomBytes(3).toString("hex")}`;
  const container = `claw-agent-${name}`;

  beforeAll(async () => {
    panel = await startPanel();
    env = cliEnvOf(panel);
    const created = await runCli(["agents", "create", "--template", "coder", "--name", name], env);
    expect(created.code, created.stderr).toBe(0);
  }, 120_000);

  afterAll(async () => {
    await exec("podman", ["rm", "-f", "-t", "0", container]).catch(() => {});
    await panel?.stop();
    if (panel) await rm(dirname(panel.home), { recursive: true, force: true });
  });

  it("cuts the line, answers the last lines and keeps the panel's memory bounded", async () => {
    const pid = panel.process.pid as number;
    const before = await memoryOf(pid);
    await runFloodContainer(
      panel,
      container,
      name,
      "echo before-the-flood; head -c 200000000 /dev/zero | tr '\\0' a; echo; echo after-the-flood; sleep 600",
    );

    // Podman's log file (outside the panel) says when the whole flood is written.
    const { stdout: logPath } = await exec("podman", [
      "inspect",
      container,
      "--format",
      "{{.HostConfig.LogConfig.Path}}",
    ]);
    const deadline = Date.now() + 300_000;
    for (;;) {
      const { stdout: tail } = await exec("tail", ["-c", "200", logPath.trim()]);
      if (tail.includes("after-the-flood")) break;
      if (Date.now() > deadline) throw new Error("the flood was not written within 300 s");
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }

    // The last lines, as `claw agents logs` and Telegram's /logs read them (the agents.logs query).
    const login = await loginToPanel(panel, await panel.token());
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const input = encodeURIComponent(JSON.stringify({ name, tail: 300 }));
    const answer = await fetch(`${panel.url}/api/trpc/agents.logs?input=${input}`, {
      headers: { cookie, "x-claw-csrf": "1" },
    });
    expect(answer.status).toBe(200);
    const { lines } = ((await answer.json()) as { result: { data: { lines: string[] } } }).result.data;
    expect(lines.at(-1)).toMatch(/after-the-flood$/);
    // The 200 MB line is one line of the answer, cut at 64 KiB with a marker.
    const flood = lines.filter((line) => line.includes("aaaaaaaaaa"));
    expect(flood).toHaveLength(1);
    expect(flood[0]).toMatch(/\[cut: .*\]$/);
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(maxLogLineChars + 100);
    expect(lines.reduce((sum, line) => sum + line.length, 0)).toBeLessThanOrEqual(8 * mi);

    const after = await memoryOf(pid);
    expect(after.peak - before.rss, `peak ${after.peak}, before ${before.rss}`).toBeLessThan(300 * mi);
    const health = await fetch(`${panel.url}/api/health`);
    expect(health.ok).toBe(true);
  }, 600_000);
});
