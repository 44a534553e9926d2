import { stat } from "node:fs/promises";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./run-cli";
import { cliEnvOf, freePort, loginToPanel, type RunningPanel, startPanel } from "./start-panel";

describe("the panel process", () => {
  let panel: RunningPanel;
  let cliEnv: Record<string, string>;

  beforeAll(async () => {
    panel = await startPanel();
    cliEnv = cliEnvOf(panel);
  });
  afterAll(async () => {
    await panel?.stop();
  });

  it("creates a private CLAW_HOME, a 0600 token and a migrated database, and prints the login URL", async () => {
    expect((await stat(panel.home)).mode & 0o777).toBe(0o700);
    expect((await stat(join(panel.home, "claw.db"))).mode & 0o777).toBe(0o600);
    expect((await stat(join(panel.home, "panel-token"))).mode & 0o777).toBe(0o600);
    expect(panel.output()).toContain(`http://127.0.0.1:${panel.port}/login#token=${await panel.token()}`);
    const db = new Database(join(panel.home, "claw.db"), { readonly: true });
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
        name: string;
      }[];
      expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(["sessions", "_prisma_migrations"]));
      expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    } finally {
      db.close();
    }
  });

  it("refuses a second panel on the same CLAW_HOME, saying which one runs", async () => {
    await expect(startPanel({ home: panel.home })).rejects.toThrow(
      /Another claw panel \(pid \d+\) is running with this CLAW_HOME/,
    );
  });

  it("binds to 127.0.0.1 only", async () => {
    const other = await fetch(`http://[::1]:${panel.port}/api/health`).catch(() => undefined);
    expect(other).toBeUndefined();
  });

  it("serves `claw status` and `claw doctor` to the CLI with the panel token", async () => {
    const status = await runCli(["status", "--json"], cliEnv);
    expect(status.stderr).toBe("");
    expect(status.code).toBe(0);
    const parsed = JSON.parse(status.stdout) as { panel: { url: string }; podman: { reachable: boolean } };
    expect(parsed.panel.url).toBe(panel.url);
    expect(parsed.podman.reachable).toBe(true);

    const human = await runCli(["status"], cliEnv);
    expect(human.stdout).toMatch(/^Panel\s+running/m);
    expect(human.stdout).toMatch(/^Podman\s+connected/m);

    const doctor = await runCli(["doctor", "--json"], cliEnv);
    const checks = JSON.parse(doctor.stdout) as { id: string; status: string }[];
    expect(checks.length).toBeGreaterThanOrEqual(6);
    expect(doctor.code).toBe(checks.some((check) => check.status === "fail") ? 1 : 0);
  });

  it("gives the CLI clear errors and exit codes", async () => {
    expect((await runCli(["nonsense"], cliEnv)).code).toBe(2);
    expect((await runCli([], cliEnv)).code).toBe(2);
    expect((await runCli(["--help"], cliEnv)).code).toBe(0);

    const down = await runCli(["status"], { ...cliEnv, CLAW_PORT: String(await freePort()) });
    expect(down.code).toBe(3);
    expect(down.stderr).toContain("not running");

    const jsonDown = await runCli(["status", "--json"], { ...cliEnv, CLAW_PORT: String(await freePort()) });
    expect(JSON.parse(jsonDown.stdout)).toHaveProperty("error");
  });

  it("keeps sessions across a restart, then shuts down cleanly on SIGTERM", async () => {
    const response = await loginToPanel(panel, await panel.token());
    const cookie = response.headers.get("set-cookie")?.split(";")[0] ?? "";
    expect(response.status).toBe(200);

    expect(await panel.stop()).toBe(0);
    expect(panel.output()).toContain("claw: stopped");
    expect(await fetch(`${panel.url}/api/health`).catch(() => "down")).toBe("down");

    panel = await startPanel({ home: panel.home, port: panel.port });
    const whoami = await fetch(`${panel.url}/api/trpc/auth.whoami`, {
      headers: { cookie, "x-claw-csrf": "1" },
    });
    expect(whoami.status).toBe(200);
  });
});

describe("login rate limiting", () => {
  let panel: RunningPanel;
  beforeAll(async () => {
    panel = await startPanel();
  });
  afterAll(async () => {
    await panel?.stop();
  });

  it("refuses even the right token after five wrong ones, and says when to retry", async () => {
    for (let i = 0; i < 5; i++) expect((await loginToPanel(panel, `wrong-${i}`)).status).toBe(401);
    const blocked = await loginToPanel(panel, await panel.token());
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    const bearer = await fetch(`${panel.url}/api/trpc/auth.whoami`, {
      headers: { authorization: `Bearer ${await panel.token()}`, "x-claw-csrf": "1" },
    });
    expect(bearer.status).toBe(429);
  });
});
