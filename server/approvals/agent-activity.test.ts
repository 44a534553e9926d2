import { execFileSync } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readdir, rename, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createActivityReader,
  describeToolCall,
  maxActivityChars,
  toolCallOfEvent,
  transcriptDbName,
} from "./agent-activity";

const agent = "coder-1";
const t0 = Date.UTC(2026, 11, 7, 12, 0, 0);

/** Transcript events as OpenClaw writes them (see a real state dir's openclaw-agent.sqlite). */
const toolCall = (name: string, args: unknown, text?: string) =>
  JSON.stringify({
    type: "message",
    id: `m-${name}`,
    parentId: null,
    timestamp: new Date(t0).toISOString(),
    message: {
      role: "assistant",
      content: [
        ...(text ? [{ type: "text", text }] : []),
        { type: "toolCall", id: "c1", name, arguments: args },
      ],
      stopReason: "toolUse",
    },
  });
const toolResult = (name: string) =>
  JSON.stringify({
    type: "message",
    id: `r-${name}`,
    message: { role: "toolResult", toolName: name, content: [{ type: "text", text: "ok" }], isError: false },
  });
const userSays = (text: string) =>
  JSON.stringify({ type: "message", message: { role: "user", content: text } });

let agentsDir: string;
let agentDir: string;
let dbDir: string;
const open: Database.Database[] = [];
const dirs: string[] = [];
const tempDir = async (prefix: string) => {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};

/** A transcript database in `dir`, left open in WAL mode with no checkpoint: new rows stay in the -wal file. */
function transcript(dir: string, events: { json: string | null; at?: number; zstd?: Buffer }[]) {
  const db = new Database(join(dir, transcriptDbName));
  open.push(db);
  db.pragma("journal_mode = WAL");
  db.pragma("wal_autocheckpoint = 0");
  db.exec(`CREATE TABLE IF NOT EXISTS transcript_events (
    session_id TEXT NOT NULL, seq INTEGER NOT NULL, event_json TEXT, created_at INTEGER NOT NULL,
    event_zstd BLOB, PRIMARY KEY (session_id, seq)) STRICT`);
  const insert = db.prepare(
    "INSERT INTO transcript_events (session_id, seq, event_json, created_at, event_zstd) VALUES ('s1', ?, ?, ?, ?)",
  );
  const seq = db.prepare("SELECT count(*) FROM transcript_events").pluck();
  for (const event of events) insert.run(seq.get(), event.json, event.at ?? t0, event.zstd ?? null);
  return db;
}

const reader = (options: { now?: number; maxDbBytes?: number } = {}) =>
  createActivityReader({ agentsDir, now: () => options.now ?? t0 + 5_000, maxDbBytes: options.maxDbBytes });

beforeEach(async () => {
  agentsDir = await tempDir("claw-activity-");
  agentDir = join(agentsDir, agent);
  dbDir = join(agentDir, "state", "agents", agent, "agent");
  await mkdir(dbDir, { recursive: true });
});

afterEach(async () => {
  for (const db of open.splice(0)) db.close();
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe("an agent's last tool call", () => {
  it("is read from the transcript's newest rows, the write-ahead log included", async () => {
    const db = transcript(dbDir, [
      { json: userSays("fetch the data") },
      { json: toolCall("read", { path: "a.txt" }) },
    ]);
    db.pragma("wal_checkpoint(TRUNCATE)");
    transcript(dbDir, [
      { json: toolResult("read") },
      {
        json: toolCall(
          "exec",
          { command: "curl -sS https://data.example.org/x.csv", timeout: 30 },
          "Fetching",
        ),
      },
      { json: toolResult("exec") },
      { json: userSays("and?") },
    ]);
    // The newest rows are only in the log: the database file alone has the first two.
    const alone = join(await tempDir("claw-activity-alone-"), "db.sqlite");
    await copyFile(join(dbDir, transcriptDbName), alone);
    const plain = new Database(alone, { readonly: true });
    open.push(plain);
    expect(plain.prepare("SELECT count(*) FROM transcript_events").pluck().get()).toBe(2);
    expect(await reader().activityOf({ agent })).toBe("exec: curl -sS https://data.example.org/x.csv");
    // Only copies were opened, and they are gone.
    expect(await readdir(join(agentDir, "staging"))).toEqual([]);
  });

  it("is the last call of a message that makes several", async () => {
    transcript(dbDir, [
      {
        json: JSON.stringify({
          type: "message",
          message: {
            role: "assistant",
            content: [
              { type: "toolCall", name: "read", arguments: { path: "x" } },
              { type: "toolCall", name: "web_fetch", arguments: { url: "https://docs.example.org/" } },
            ],
          },
        }),
      },
    ]);
    expect(await reader().activityOf({ agent })).toBe("web_fetch: https://docs.example.org/");
  });

  it("is unknown for a job, an odd name, an agent without a transcript, or a call long past", async () => {
    expect(await reader().activityOf({ job: "j-abc" })).toBeNull();
    expect(await reader().activityOf({ agent: "../coder-1" })).toBeNull();
    expect(await reader().activityOf({ agent: "nobody" })).toBeNull();
    expect(await reader().activityOf({ agent })).toBeNull();
    transcript(dbDir, [{ json: toolCall("exec", { command: "ls" }) }, { json: userSays("hi") }]);
    expect(await reader().activityOf({ agent })).toBe("exec: ls");
    expect(await reader({ now: t0 + 11 * 60_000 }).activityOf({ agent })).toBeNull();
  });

  it("is unknown when a newer row is compressed (it might be the call) or the database is too big", async () => {
    transcript(dbDir, [{ json: toolCall("exec", { command: "ls" }) }]);
    expect(await reader({ maxDbBytes: 1024 }).activityOf({ agent })).toBeNull();
    transcript(dbDir, [{ json: null, zstd: Buffer.from([0x28, 0xb5, 0x2f, 0xfd]) }]);
    expect(await reader().activityOf({ agent })).toBeNull();
  });

  it("is unknown when the container made transcript_events a view, or garbage", async () => {
    const db = new Database(join(dbDir, transcriptDbName));
    open.push(db);
    db.exec(
      `CREATE VIEW transcript_events AS SELECT 's1' AS session_id, 0 AS seq, '${toolCall("exec", { command: "planted" })}' AS event_json, ${t0} AS created_at, NULL AS event_zstd`,
    );
    expect(await reader().activityOf({ agent })).toBeNull();
    db.close();
    await writeFile(join(dbDir, transcriptDbName), "SQLite format 3\0not really");
    expect(await reader().activityOf({ agent })).toBeNull();
  });

  it("never follows a link planted where the transcript or a directory above it should be", async () => {
    const elsewhere = await tempDir("claw-activity-host-");
    transcript(elsewhere, [{ json: toolCall("exec", { command: "host file" }) }]);
    // The database itself is a link to a host file.
    await symlink(join(elsewhere, transcriptDbName), join(dbDir, transcriptDbName));
    expect(await reader().activityOf({ agent })).toBeNull();
    // A directory on the way is a link to a host directory holding a valid transcript.
    await rename(dbDir, `${dbDir}.old`);
    await symlink(elsewhere, dbDir);
    expect(await reader().activityOf({ agent })).toBeNull();
    await rename(join(agentDir, "state", "agents"), join(agentDir, "state", "agents.old"));
    await mkdir(join(elsewhere, agent));
    await symlink(elsewhere, join(elsewhere, agent, "agent"));
    await symlink(elsewhere, join(agentDir, "state", "agents"));
    expect(await reader().activityOf({ agent })).toBeNull();
    // The same host transcript, reached without links, is read: the links were what refused it.
    await rename(join(agentDir, "state", "agents"), join(agentDir, "state", "gone"));
    await mkdir(dbDir, { recursive: true });
    transcript(dbDir, [{ json: toolCall("exec", { command: "host file" }) }]);
    expect(await reader().activityOf({ agent })).toBe("exec: host file");
  });

  it("does not wait on a FIFO planted as the transcript", async () => {
    execFileSync("mkfifo", [join(dbDir, transcriptDbName)]);
    expect(await reader().activityOf({ agent })).toBeNull();
  });
});

describe("describeToolCall", () => {
  it("names the tool and its most telling argument, on one short line", () => {
    expect(describeToolCall("read", { path: "/workspace/a.ts", offset: 3 })).toBe("read: /workspace/a.ts");
    expect(describeToolCall("memory_get", { key: "k", n: 2 })).toBe('memory_get: {"key":"k","n":2}');
    expect(describeToolCall("process", {})).toBe("process");
    const long = describeToolCall("exec", { command: `echo ${"x".repeat(500)}\n\u001b[31mred\u202e` });
    expect(long.length).toBe(maxActivityChars);
    expect(long).toMatch(/^exec: echo x+…$/);
    expect(describeToolCall("exec", { command: "a\n\tb\u0007\u202ec" })).toBe("exec: a b c");
  });

  it("finds the call in an assistant message only", () => {
    expect(toolCallOfEvent(toolCall("exec", { command: "ls" }))).toEqual({
      name: "exec",
      args: { command: "ls" },
    });
    expect(toolCallOfEvent(toolResult("exec"))).toBeUndefined();
    expect(toolCallOfEvent(userSays("exec ls"))).toBeUndefined();
    expect(toolCallOfEvent("{not json")).toBeUndefined();
    expect(toolCallOfEvent("null")).toBeUndefined();
  });
});
