import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./run-cli";
import { cliEnvOf, type RunningPanel, startPanel } from "./start-panel";

describe("claw agents create + claw policy validate, for every built-in", () => {
  let panel: RunningPanel;
  let env: Record<string, string>;
  beforeAll(async () => {
    panel = await startPanel();
    env = cliEnvOf(panel);
  });
  afterAll(async () => {
    await panel?.stop();
  });

  it("lists the built-ins", async () => {
    const list = await runCli(["templates", "list", "--json"], env);
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as { name: string }[]).map((t) => t.name)).toEqual([
      "coder",
      "devops",
      "reviewer",
      "security",
    ]);
  });

  it.each(["coder", "devops", "reviewer", "security"])(
    "%s: create, validate ok, tamper, validate names the drift",
    async (template) => {
      const name = `cli-${template}`;
      const created = await runCli(["agents", "create", "--template", template, "--name", name], env);
      expect(created.stderr).toBe("");
      expect(created.code).toBe(0);
      const ok = await runCli(["policy", "validate", name], env);
      expect(ok.stdout).toContain(`ok: ${name}'s policy matches its signed lock`);
      expect(ok.code).toBe(0);

      const snapshot = join(panel.home, "agents", name, "template.yaml");
      await writeFile(snapshot, (await readFile(snapshot, "utf8")).replace(/pids: \d+/, "pids: 65536"));
      const drift = await runCli(["policy", "validate", name], env);
      expect(drift.code).toBe(1);
      expect(drift.stdout).toContain(`TEMPLATE_DRIFT: ${name}`);

      const explain = await runCli(["policy", "explain", name], env);
      expect(explain.stdout).toMatch(/^Network:/m);
    },
  );

  it("refuses a bad name and an unknown template with clear messages", async () => {
    const bad = await runCli(["agents", "create", "--template", "coder", "--name", "../x"], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("is not a valid agent name");
    const unknown = await runCli(["agents", "create", "--template", "nope", "--name", "x1"], env);
    expect(unknown.stderr).toContain('No template named "nope"');
  });
});

describe("claw images", () => {
  let panel: RunningPanel;
  beforeAll(async () => {
    panel = await startPanel();
  });
  afterAll(async () => {
    await panel?.stop();
  });

  it(
    "builds (or finds up to date) the agent image, lists it, and audits the build",
    async () => {
      const env = cliEnvOf(panel);
      const build = await runCli(["images", "build"], env);
      expect(build.code).toBe(0);
      expect(build.stdout).toMatch(/^(built|up to date): localhost\/claw-openclaw-agent:[0-9a-f]{16}$/m);
      const list = await runCli(["images", "list", "--json"], env);
      expect((JSON.parse(list.stdout) as { ref: string }[]).map((image) => image.ref)).toContain(
        "localhost/claw-openclaw-agent:latest",
      );
      const audit = await runCli(["audit", "tail", "--json", "--category", "lifecycle"], env);
      expect(audit.stdout).toContain('"action":"image_build_finished"');

      // An agent created now is locked to the built image's id, not "unbuilt".
      const created = await runCli(
        ["agents", "create", "--template", "reviewer", "--name", "img-check", "--json"],
        env,
      );
      expect((JSON.parse(created.stdout) as { imageDigest: string }).imageDigest).toMatch(
        /^sha256:[0-9a-f]{64}$/,
      );
    },
    15 * 60_000,
  );

  it(
    "builds (or finds up to date) the Claude Code image by name, and refuses an unknown one",
    async () => {
      const env = cliEnvOf(panel);
      const build = await runCli(["images", "build", "claude-code"], env);
      expect(build.code, build.stderr).toBe(0);
      expect(build.stdout).toMatch(/^(built|up to date): localhost\/claw-claude-code:[0-9a-f]{16}$/m);
      const list = await runCli(["images", "list"], env);
      expect(list.stdout).toMatch(/^localhost\/claw-claude-code:latest +claude-code /m);

      const unknown = await runCli(["images", "build", "nope"], env);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain('No image named "nope": choose one of openclaw-agent, claude-code');
    },
    15 * 60_000,
  );
});
