import { readFile } from "node:fs/promises";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./run-cli";
import { cliEnvOf, loginToPanel, type RunningPanel, startPanel } from "./start-panel";

describe("the audit log through the panel and the CLI", () => {
  let panel: RunningPanel;
  let env: Record<string, string>;

  beforeAll(async () => {
    panel = await startPanel();
    env = cliEnvOf(panel);
  });
  afterAll(async () => {
    await panel?.stop();
  });

  it("records logins, failed logins and logouts, and `claw audit tail` shows them", async () => {
    expect((await loginToPanel(panel, "wrong")).status).toBe(401);
    const ok = await loginToPanel(panel, await panel.token());
    const cookie = ok.headers.get("set-cookie")?.split(";")[0] ?? "";
    await fetch(`${panel.url}/api/logout`, { method: "POST", headers: { cookie, "x-claw-csrf": "1" } });

    const tail = await runCli(["audit", "tail", "--json", "-n", "10"], env);
    expect(tail.code).toBe(0);
    const events = tail.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { action: string; actor: string; outcome: string });
    expect(events.map((e) => e.action)).toEqual([
      "panel_started",
      "login_failed",
      "login_succeeded",
      "logout",
    ]);
    expect(events[1]).toMatchObject({ actor: "panel:anonymous", outcome: "denied" });
    expect(events[2]?.actor).toMatch(/^panel:[0-9a-f]{12}$/);
    expect(events[3]?.actor).toBe(events[2]?.actor);
  });

  it("exports JSONL with a header, every event and the checkpoints", async () => {
    const file = join(panel.home, "export.jsonl");
    const result = await runCli(["audit", "export", "-o", file], env);
    expect(result.code).toBe(0);
    const lines = (await readFile(file, "utf8"))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { type: string });
    expect(lines[0]).toMatchObject({ type: "header", format: "claw.audit.export.v1" });
    expect(lines.filter((line) => line.type === "event").length).toBeGreaterThanOrEqual(4);
  });

  it("`claw audit verify` passes, then fails naming the row once the DB file is edited", async () => {
    const clean = await runCli(["audit", "verify"], env);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toMatch(/^ok: \d+ events/);

    const db = new Database(join(panel.home, "claw.db"));
    db.prepare(`UPDATE audit_events SET outcome = 'ok' WHERE action = 'login_failed'`).run();
    const row = (
      db.prepare(`SELECT id FROM audit_events WHERE action = 'login_failed'`).get() as { id: number }
    ).id;
    db.close();

    const tampered = await runCli(["audit", "verify"], env);
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toContain(`TAMPERED: row ${row} was edited`);
  });

  it("records the stop and seals it with a last checkpoint", async () => {
    expect(await panel.stop()).toBe(0);
    const db = new Database(join(panel.home, "claw.db"), { readonly: true });
    const last = db.prepare("SELECT id, action FROM audit_events ORDER BY id DESC LIMIT 1").get() as {
      id: number;
      action: string;
    };
    db.close();
    expect(last.action).toBe("panel_stopped");
    const lines = (await readFile(join(panel.home, "audit", "checkpoints.log"), "utf8")).trim().split("\n");
    expect((JSON.parse(lines.at(-1) ?? "{}") as { treeSize: number }).treeSize).toBe(last.id);
  });
});
