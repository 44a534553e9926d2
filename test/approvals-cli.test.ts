import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "../server/db/client";
import { newShortId } from "../server/short-id";
import { runCli } from "./run-cli";
import { cliEnvOf, projectRoot, type RunningPanel, startPanel } from "./start-panel";
import { waitFor } from "./wait-for";

/**
 * `claw approvals` against a real panel. A request is written as the approvals service writes it
 * when the egress proxy holds a connection (test/approvals.test.ts makes real ones, from an agent
 * in ask mode): here nothing is held, and what is under test is the CLI and the router.
 */
describe("claw approvals", () => {
  let panel: RunningPanel;
  let env: Record<string, string>;
  let db: Db;
  const agent = "ask-coder";

  async function request(host: string, overrides: { method?: string; path?: string } = {}) {
    const row = await db.approval.create({
      data: {
        id: newShortId("ap"),
        agent,
        host,
        port: 443,
        method: overrides.method ?? "CONNECT",
        path: overrides.path ?? null,
        expiresAt: new Date(Date.now() + 60_000),
      },
    });
    return row.id;
  }

  // Each call starts the real CLI (tsx compiling it): a loaded machine takes seconds a call.
  beforeAll(async () => {
    panel = await startPanel();
    env = cliEnvOf(panel);
    db = createDb(join(panel.home, "claw.db"));
    const created = await runCli(["agents", "create", "--template", "coder", "--name", agent], env);
    expect(created.stderr).toBe("");
  }, 240_000);
  afterAll(async () => {
    await db?.$disconnect();
    await panel?.stop();
  });

  it("says what an empty inbox means, and lists nothing as JSON", async () => {
    const list = await runCli(["approvals", "list"], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^no approval requests yet: /);
    expect(JSON.parse((await runCli(["approvals", "list", "--json"], env)).stdout)).toEqual([]);
    const grants = await runCli(["approvals", "grants"], env);
    expect(grants.stdout.trim()).toBe(
      "no grants are counting now (claw approvals grants --all shows the ended ones too)",
    );
  }, 240_000);

  it("refuses an unknown id or a bad command line in one line and a fix", async () => {
    const unknown = await runCli(["approvals", "allow", "ap-zzzzzzzzzz"], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe(
      "claw: No approval request ap-zzzzzzzzzz\nfix: claw approvals list shows the open ones.\n",
    );
    const noGrant = await runCli(["approvals", "revoke", "gr-zzzzzzzzzz"], env);
    expect(noGrant.code).toBe(1);
    expect(noGrant.stderr).toBe("claw: No grant gr-zzzzzzzzzz\nfix: claw approvals grants lists them.\n");
    const badId = await runCli(["approvals", "deny", "42"], env);
    expect(badId.code).toBe(2);
    expect(badId.stderr).toMatch(/^claw: "42" is not an approval id: .*\nfix: claw approvals list .*\n$/);
    const both = await runCli(["approvals", "allow", "ap-zzzzzzzzzz", "--for", "10m", "--uses", "3"], env);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/^claw: --for and --uses cannot go together.*\nfix: /);
    const json = await runCli(["approvals", "allow", "ap-zzzzzzzzzz", "--json"], env);
    expect(JSON.parse(json.stdout)).toEqual({
      error: "No approval request ap-zzzzzzzzzz\nfix: claw approvals list shows the open ones.",
    });
  }, 240_000);

  it("allows for a time, denies with a reason, and -f prints each decision as it is made", async () => {
    const allowed = await request("example.com");
    const denied = await request("pypi.org", { method: "GET", path: "/simple/requests/" });

    const follower = spawn(
      process.execPath,
      [join(projectRoot, "bin", "claw.mjs"), "approvals", "list", "-f"],
      {
        cwd: projectRoot,
        env: { ...process.env, ...env },
      },
    );
    let grant: string | undefined;
    let followed = "";
    let followErr = "";
    follower.stdout.on("data", (chunk: Buffer) => {
      followed += chunk.toString();
    });
    follower.stderr.on("data", (chunk: Buffer) => {
      followErr += chunk.toString();
    });
    try {
      await waitFor("the follower to start", async () =>
        followErr.includes("following approval requests") ? true : undefined,
      );
      // The two waiting now, as a table, before anything new.
      expect(followed).toContain(allowed);
      expect(followed).toMatch(new RegExp(`${denied}.*pypi\\.org:443 +GET /simple/requests/ .*pending`));

      const allow = await runCli(["approvals", "allow", allowed, "--for", "10m"], env);
      expect(allow.stderr).toBe("");
      grant = /^grant (gr-[a-z2-7]{10}): claw approvals revoke \1 ends it early$/m.exec(allow.stdout)?.[1];
      expect(allow.stdout).toContain(`${allowed}: allowed for 10 minutes (${agent} → example.com:443)`);
      expect(grant).toBeDefined();
      const deny = await runCli(["approvals", "deny", denied, "--reason", "not today"], env);
      expect(deny.stdout.trim()).toBe(`${denied}: denied: not today (${agent} → pypi.org:443)`);

      await waitFor("both decisions in the follower", async () =>
        followed.includes(`${denied}  decided`) ? true : undefined,
      );
      expect(followed).toContain(
        `${allowed}  decided   ${agent} → example.com:443 allowed for 10 minutes by cli (grant ${grant})`,
      );
      expect(followed).toContain(`${denied}  decided   ${agent} → pypi.org:443 denied: not today by cli`);
    } finally {
      follower.kill("SIGINT");
    }

    const list = await runCli(["approvals", "list"], env);
    const lines = list.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^ID +AGENT\/JOB +TARGET +REQUEST +ASKED +STATUS +DECISION +BY +WHEN$/);
    expect(lines[1]).toMatch(
      new RegExp(`^${denied} +${agent} +pypi\\.org:443 .* denied +not today +cli +\\d+ s ago$`),
    );
    expect(lines[2]).toMatch(
      new RegExp(`^${allowed} +${agent} +example\\.com:443 +CONNECT .* allowed +for 10 min +cli`),
    );
    const onlyDenied = JSON.parse(
      (await runCli(["approvals", "list", "--status", "denied", "--json"], env)).stdout,
    );
    expect(onlyDenied).toMatchObject([{ id: denied, status: "denied", reason: "not today", channel: "cli" }]);

    const again = await runCli(["approvals", "allow", allowed], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(
      `claw: ${allowed} was already allowed\nfix: claw approvals list shows the open ones.\n`,
    );

    const grants = await runCli(["approvals", "grants"], env);
    expect(grants.stdout).toMatch(
      new RegExp(
        `^${grant} +${agent} +example\\.com:443 +minutes +0 +(10|9) min left +cli +${allowed}$`,
        "m",
      ),
    );
    const revoke = await runCli(["approvals", "revoke", grant ?? ""], env);
    expect(revoke.stdout.trim()).toBe(
      `${grant} revoked: ${agent} → example.com:443 asks again (it was used 0×)`,
    );
    const twice = await runCli(["approvals", "revoke", grant ?? ""], env);
    expect(twice.stderr).toBe(
      `claw: ${grant} already ended (revoked)\nfix: claw approvals grants lists the ones still counting.\n`,
    );
    expect((await runCli(["approvals", "grants"], env)).stdout).toMatch(/^no grants are counting now/);
    expect((await runCli(["approvals", "grants", "--all"], env)).stdout).toMatch(
      new RegExp(`^${grant} .* ended \\d+ s ago: revoked +cli +${allowed}$`, "m"),
    );
  }, 240_000);

  it("allows always by writing the host into the agent's own template copy", async () => {
    const id = await request("registry.example.org");
    const always = await runCli(["approvals", "allow", id, "--always"], env);
    expect(always.stderr).toBe("");
    expect(always.stdout).toMatch(
      new RegExp(
        `^${id}: allowed always \\(added to the agent's allowlist\\) \\(${agent} → registry\\.example\\.org:443\\)\\ngrant gr-`,
      ),
    );
    const own = await readFile(join(panel.home, "agents", agent, "own-template.yaml"), "utf8");
    expect(own).toContain("- registry.example.org");
    const validate = await runCli(["policy", "validate", agent], env);
    expect(validate.code).toBe(0);
  }, 240_000);

  it("sets an agent's egress mode, re-locked, and refuses what has no mode", async () => {
    const set = await runCli(["approvals", "mode", agent, "ask"], env);
    expect(set.stderr).toBe("");
    expect(set.stdout.trim()).toBe(
      `${agent}'s egress mode is now ask: a connection to a host off its allowlist waits for a person's answer (claw approvals list -f).`,
    );
    const own = await readFile(join(panel.home, "agents", agent, "own-template.yaml"), "utf8");
    expect(own).toMatch(/^ {4}mode: ask$/m);
    expect((await runCli(["policy", "validate", agent], env)).code).toBe(0);
    const json = JSON.parse((await runCli(["approvals", "mode", agent, "learn", "--json"], env)).stdout);
    expect(json).toMatchObject({ agent, mode: "learn", running: false });

    const bad = await runCli(["approvals", "mode", agent, "open"], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      'claw: "open" is not an egress mode\nfix: claw approvals mode NAME deny|ask|learn\n',
    );
    const nobody = await runCli(["approvals", "mode", "nobody", "ask"], env);
    expect(nobody.code).toBe(1);
    expect(nobody.stderr.trim().split("\n")).toHaveLength(2);
    expect(nobody.stderr).toMatch(/^claw: .*nobody.*\nfix: /);

    expect(
      (await runCli(["agents", "create", "--template", "reviewer", "--name", "offline"], env)).code,
    ).toBe(0);
    const none = await runCli(["approvals", "mode", "offline", "ask"], env);
    expect(none.stderr).toBe(
      "claw: offline's network profile is none: it has no egress proxy\nfix: Only restricted and devops agents reach hosts through the egress proxy, with an allowlist and a mode.\n",
    );
  }, 240_000);

  it("lists `claw approvals` in the help", async () => {
    const help = await runCli(["help", "approvals"], env);
    expect(help.code).toBe(0);
    for (const word of ["list", "allow", "deny", "grants", "revoke", "mode"])
      expect(help.stdout).toMatch(new RegExp(`^ {2}approvals ${word} `, "m"));
  }, 240_000);
});
