/**
 * CLAW_HOME on a small filesystem, filled up and freed, with the real panel and a running agent:
 * every refused action says the disk is full (with the fix), nothing acts without its audit
 * event, and once space is back `claw audit verify` passes, also after a restart.
 *
 * CLAW_HOME/agents is a filesystem of its own: an agent's Gateway keeps a SQLite file in its state
 * folder and exits (78, "database or disk is full") when that disk fills, which would stop the
 * agent for a reason this suite is not about. Mounting needs root: elsewhere the suite is
 * skipped, and its name says why.
 */
import { execFile, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./run-cli";
import { cliEnvOf, panelClient, type RunningPanel, startPanel } from "./start-panel";
import { waitFor } from "./wait-for";

const exec = promisify(execFile);

/** Mounts a tmpfs of `size` on `dir` (a new folder unless given); why not, when this host cannot. */
function mountTmpfs(size: string, at?: string, mode = "0755"): { dir: string } | { why: string } {
  if (process.getuid?.() !== 0) return { why: "mounting a small filesystem needs root" };
  const dir = at ?? mkdtempSync(join(tmpdir(), "claw-disk-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size},mode=${mode}`, "tmpfs", dir], {
      stdio: "pipe",
    });
    return { dir };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    return { why: `mount -t tmpfs failed: ${String((error as { stderr?: Buffer }).stderr ?? error).trim()}` };
  }
}

function unmount(dir: string, options: { remove: boolean } = { remove: true }) {
  try {
    execFileSync("umount", [dir], { stdio: "pipe" });
  } catch {
    execFileSync("umount", ["-l", dir], { stdio: "pipe" }); // a process still has a file open there
  }
  if (options.remove) rmSync(dir, { recursive: true, force: true });
}

/** Whether this host can mount one at all, asked once when the suite is collected. */
const probe = mountTmpfs("1m");
if ("dir" in probe) unmount(probe.dir);
const skipWhy = "why" in probe ? probe.why : undefined;

/** Writes `path` until the filesystem refuses (ENOSPC), in big pieces and then small ones. */
function fillDisk(path: string) {
  const fd = openSync(path, "a");
  try {
    for (const size of [1024 * 1024, 4096, 1]) {
      const chunk = Buffer.alloc(size, 0x61);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** Rows and checkpoints as stored, read beside the panel (WAL lets a reader in). */
function auditCounts(dbPath: string) {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const head = db.prepare("SELECT max(id) AS id FROM audit_events").get() as { id: number | null };
    const last = db.prepare("SELECT max(tree_size) AS size FROM audit_checkpoints").get() as {
      size: number | null;
    };
    return { head: head.id ?? 0, checkpointed: last.size ?? 0 };
  } finally {
    db.close();
  }
}

/**
 * Folds the WAL into the database and empties it: the panel's next write then needs new space,
 * which a full disk does not have (a WAL with room left would take writes for a while).
 */
async function emptyWal(dbPath: string) {
  const db = new Database(dbPath);
  try {
    await waitFor("an empty WAL", async () => {
      const [result] = db.pragma("wal_checkpoint(TRUNCATE)") as { busy: number }[];
      return result?.busy === 0 ? true : undefined;
    });
  } finally {
    db.close();
  }
}

const checkpointMs = 1_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(skipWhy !== undefined)(
  `CLAW_HOME on a full disk${skipWhy ? ` (skipped: ${skipWhy})` : ""}`,
  () => {
    let mount: string;
    let home: string;
    let agentsMount: string | undefined;
    let panel: RunningPanel | undefined;
    const agent = `disk-${randomBytes(3).toString("hex")}`;
    const filler = () => join(mount, "filler");
    const start = () => startPanel({ home, env: { CLAW_AUDIT_CHECKPOINT_MS: String(checkpointMs) } });

    beforeAll(async () => {
      const mounted = mountTmpfs("20m");
      if (!("dir" in mounted)) throw new Error(mounted.why);
      mount = mounted.dir;
      home = join(mount, "home");
      const agents = join(home, "agents");
      mkdirSync(agents, { recursive: true, mode: 0o700 });
      const roomy = mountTmpfs("512m", agents, "0700");
      if (!("dir" in roomy)) throw new Error(roomy.why);
      agentsMount = roomy.dir;
      panel = await start();
    }, 120_000);

    afterAll(async () => {
      await exec("podman", ["rm", "-f", `claw-agent-${agent}`]).catch(() => {});
      await panel?.stop();
      if (agentsMount) unmount(agentsMount, { remove: false });
      if (mount) unmount(mount);
    });

    const running = async () => {
      const { stdout } = await exec("podman", [
        "inspect",
        "--format",
        "{{.State.Running}}",
        `claw-agent-${agent}`,
      ]);
      return stdout.trim() === "true";
    };
    /** Why the agent is not running, for a failure message: its exit and its last words. */
    const whyStopped = async () => {
      const name = `claw-agent-${agent}`;
      const state = await exec("podman", ["inspect", "--format", "{{json .State}}", name]).catch((e) => e);
      const logs = await exec("podman", ["logs", "--tail", "30", name]).catch((e) => e);
      return `state ${state.stdout}\nlogs ${logs.stdout}${logs.stderr}\npanel ${panel?.output().slice(-3000)}`;
    };
    const diskFull = (text: string) => {
      expect(text).toContain(`The disk holding CLAW_HOME (${home}) is full.`);
      expect(text).toMatch(/fix: Free space on that disk .* move CLAW_HOME to a larger disk/);
      expect(text).not.toContain("Internal error");
    };

    it("refuses with the reason, acts on nothing unaudited, and verifies once space is back", async () => {
      if (!panel) throw new Error("no panel");
      const env = cliEnvOf(panel);
      const dbPath = join(home, "claw.db");
      const created = await runCli(["agents", "create", "--template", "coder", "--name", agent], env);
      expect(created.code, created.stderr).toBe(0);
      const started = await runCli(["agents", "start", agent, "--no-wait"], env);
      expect(started.code, started.stderr).toBe(0);
      expect(await running()).toBe(true);

      // Fill the disk while the newest events wait for their checkpoint (what made the old order
      // file a line for a row that never committed, every tick): if a tick covered them first,
      // free the space and try again.
      await waitFor("new events caught full by the disk", async () => {
        const probe = await runCli(["exec", agent, "--", "true"], env);
        expect(probe.code, probe.stderr).toBe(0);
        await emptyWal(dbPath);
        fillDisk(filler());
        const { head, checkpointed } = auditCounts(dbPath);
        if (head > checkpointed) return true;
        rmSync(filler());
        return undefined;
      });
      await sleep(3.5 * checkpointMs); // ticks while the disk is full

      const client = panelClient(panel);
      const verifyCall = await client.audit.verify.mutate().then(
        () => undefined,
        (error: { message: string; data?: { fix?: string; httpStatus?: number } }) => error,
      );
      expect(verifyCall?.message).toBe(`The disk holding CLAW_HOME (${home}) is full.`);
      expect(verifyCall?.data?.fix).toContain("move CLAW_HOME");
      expect(verifyCall?.data?.httpStatus).toBe(503);

      fillDisk(filler()); // whatever the refused writes let go of
      const stop = await runCli(["agents", "stop", agent], env);
      expect(stop.code).toBe(1);
      diskFull(stop.stderr);
      expect(await running()).toBe(true);

      const marker = `/tmp/ran-${randomBytes(3).toString("hex")}`;
      const refused = await runCli(["exec", agent, "--", "sh", "-c", `echo ran > ${marker}`], env);
      expect(refused.code).toBe(1);
      if (refused.stderr.includes("is not running")) expect.fail(await whyStopped());
      diskFull(refused.stderr);

      rmSync(filler());
      await sleep(2 * checkpointMs); // a tick signs what waited
      const verify = await runCli(["audit", "verify"], env);
      expect(verify.code, `${verify.stdout}${verify.stderr}`).toBe(0);
      expect(verify.stdout).toMatch(/^ok: /);

      // The refused command never ran, and neither refused action left an event.
      const ran = await runCli(["exec", agent, "--", "test", "-e", marker], env);
      expect(ran.code, ran.stderr).toBe(1);
      const tail = await runCli(["audit", "tail", "--json", "--agent", agent, "-n", "200"], env);
      const events = tail.stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as { action: string; details: { command?: string[] } });
      expect(events.filter((event) => event.action.startsWith("agent_stop"))).toEqual([]);
      const refusedCommand = ["sh", "-c", `echo ran > ${marker}`];
      expect(events.filter((event) => event.details.command?.join(" ") === refusedCommand.join(" "))).toEqual(
        [],
      );

      await panel.stop();
      panel = await start();
      const again = await runCli(["audit", "verify"], cliEnvOf(panel));
      expect(again.code, `${again.stdout}${again.stderr}`).toBe(0);

      // With space, the same stop runs, recorded before and after.
      const stopped = await runCli(["agents", "stop", agent], cliEnvOf(panel));
      expect(stopped.code, `${stopped.stderr}${await whyStopped()}`).toBe(0);
      expect(await running()).toBe(false);
      const after = await runCli(["audit", "tail", "--json", "--agent", agent, "-n", "20"], cliEnvOf(panel));
      const actions = after.stdout
        .trim()
        .split("\n")
        .map((line) => (JSON.parse(line) as { action: string }).action);
      expect(actions).toEqual(expect.arrayContaining(["agent_stop_requested", "agent_stopped"]));
    }, 300_000);
  },
);
