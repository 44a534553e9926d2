import { constants } from "node:fs";
import { type FileHandle, lstat, mkdir, mkdtemp, open, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { EgressOwner } from "../egress/egress-proxy";
import { readContainerFile, type UidRange } from "../fs/container-files";
import { dnsLabel } from "../policy/template-schema";

/**
 * What an agent was doing when it asked to reach a host: its last tool call, read from the
 * transcript OpenClaw keeps in the agent's state dir. OpenClaw (2026.9) keeps it in SQLite, not
 * JSONL: `state/agents/<agent>/agent/openclaw-agent.sqlite`, table `transcript_events` (one JSON
 * event per row; an assistant `message` holds `toolCall` parts with `name` and `arguments`),
 * with the newest rows often still in the `-wal` file beside it.
 *
 * The state dir is mounted read-write into the container, so all of it is untrusted: each
 * directory is opened without following links (and the next one through that descriptor, so a
 * directory swapped for a link meanwhile is not followed either), the two files are read through
 * readContainerFile (O_NOFOLLOW, fstat, capped) into a panel-only directory, and SQLite opens
 * that copy, never the container's files, in defensive mode with an untrusted schema. Only the
 * newest rows are read. Anything odd gives null: this is a hint for a person, never a decision.
 */
export type ActivityReader = { activityOf(owner: EgressOwner): Promise<string | null> };

export const transcriptDbName = "openclaw-agent.sqlite";
/** The longest activity: tool name, ": ", and an argument summary. */
export const maxActivityChars = 200;
/** The transcript's newest rows looked at for a tool call. */
const tailRows = 200;

export type ActivityReaderOptions = {
  /** CLAW_HOME/agents. */
  agentsDir: string;
  /** Host uid ranges the agent's container writes files as (rootful: its own id range); the panel's uid is always accepted. */
  ownersOf?: (agent: string) => Promise<readonly UidRange[]>;
  /** The most read of the database and of its write-ahead log (default 64 MiB and 32 MiB). */
  maxDbBytes?: number;
  maxWalBytes?: number;
  /** A tool call older than this says nothing about the request (default 10 minutes). */
  maxAgeMs?: number;
  now?: () => number;
};

/** Opens a directory by a path whose last component must not be a link; a descriptor, or undefined. */
async function openDirectory(path: string): Promise<FileHandle | undefined> {
  try {
    return await open(path, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  } catch {
    return undefined; // missing, a link (ELOOP) or not a directory (ENOTDIR)
  }
}

/** `dir`'s descriptor as a path prefix: what follows is resolved inside what was opened. */
const throughFd = (dir: FileHandle, name: string) => `/proc/self/fd/${dir.fd}/${name}`;

/**
 * Walks `names` below `root` one directory at a time, each opened through its parent's
 * descriptor without following a link, and calls `use` with the last one's descriptor path.
 */
async function withDirectory<T>(
  root: string,
  names: string[],
  use: (at: (name: string) => string) => Promise<T | undefined>,
): Promise<T | undefined> {
  const opened: FileHandle[] = [];
  try {
    let current = await openDirectory(root);
    if (!current) return undefined;
    opened.push(current);
    for (const name of names) {
      current = await openDirectory(throughFd(current, name));
      if (!current) return undefined;
      opened.push(current);
    }
    const dir = current;
    return await use((name) => throughFd(dir, name));
  } finally {
    await Promise.all(opened.map((handle) => handle.close().catch(() => undefined)));
  }
}

/** A container file's bytes, or undefined when it is missing, refused or over `cap`. */
async function readCapped(
  path: string,
  cap: number,
  owners: readonly UidRange[],
): Promise<Buffer | undefined> {
  // The size only sizes the buffer (readContainerFile allocates its cap): it checks the file itself.
  const size = await lstat(path).then(
    (stat) => stat.size,
    () => undefined,
  );
  if (size === undefined || size > cap) return undefined;
  const room = Math.min(cap, size + Math.max(1024 * 1024, Math.ceil(size / 4)));
  return readContainerFile(path, { maxBytes: room, owners }).catch(() => undefined);
}

/** Control characters and invisible formatting (direction overrides among them): shown to a person. */
const controlChars = /[\p{Cc}\p{Cf}]/gu;

/** Pure: one line of at most `max` characters, no control or direction characters. */
function oneLine(text: string, max: number): string {
  const line = text.replace(controlChars, " ").replace(/\s+/g, " ").trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

/** The argument that says most about a call, by the names OpenClaw's tools use. */
const telling = ["command", "url", "path", "file_path", "query", "prompt", "pattern", "job_id"];

/** Pure: `tool: what it was given`, at most maxActivityChars, from a toolCall part. */
export function describeToolCall(name: string, args: unknown): string {
  const tool = oneLine(name, 60) || "tool";
  const record = typeof args === "object" && args !== null ? (args as Record<string, unknown>) : {};
  const key = telling.find((candidate) => typeof record[candidate] === "string" && record[candidate] !== "");
  const summary = key
    ? String(record[key])
    : Object.keys(record).length > 0
      ? JSON.stringify(record)
      : typeof args === "string"
        ? args
        : "";
  const room = maxActivityChars - tool.length - 2;
  const text = oneLine(summary, room);
  return text ? `${tool}: ${text}` : tool;
}

type ToolCall = { name: string; args: unknown };

/** Pure: the last tool call in one transcript event's JSON, if it is an assistant message with one. */
export function toolCallOfEvent(json: string): ToolCall | undefined {
  let event: unknown;
  try {
    event = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof event !== "object" || event === null) return undefined;
  const { type, message } = event as { type?: unknown; message?: { role?: unknown; content?: unknown } };
  if (type !== "message" || typeof message !== "object" || message?.role !== "assistant") return undefined;
  if (!Array.isArray(message.content)) return undefined;
  const calls = message.content.filter(
    (part): part is { name: string; arguments?: unknown } =>
      typeof part === "object" &&
      part !== null &&
      (part as { type?: unknown }).type === "toolCall" &&
      typeof (part as { name?: unknown }).name === "string",
  );
  const last = calls.at(-1);
  return last ? { name: last.name, args: last.arguments } : undefined;
}

type Row = { json: string | null; compressed: number; createdAt: unknown };

/**
 * The newest tool call in a copy of the agent's transcript database, with its time; null when
 * there is none, or when a newer row cannot be read (compressed: it might be the one).
 */
function lastToolCall(dbPath: string): { call: ToolCall; at: number } | null {
  const db = new Database(dbPath, { fileMustExist: true, timeout: 0 });
  try {
    // https://sqlite.org/security.html: a database from elsewhere may hold any schema.
    db.pragma("trusted_schema = OFF");
    db.pragma("cell_size_check = ON");
    db.pragma("mmap_size = 0");
    db.pragma("query_only = ON");
    const kind = db.prepare("SELECT type FROM sqlite_schema WHERE name = 'transcript_events'").pluck().get();
    if (kind !== "table") return null;
    // Only assistant messages come back as text (json_valid first: json_extract throws on bad JSON).
    const rows = db
      .prepare(
        `SELECT event_json IS NULL AS compressed, created_at AS createdAt,
                CASE WHEN json_valid(event_json) THEN
                  CASE WHEN json_extract(event_json, '$.type') = 'message'
                        AND json_extract(event_json, '$.message.role') = 'assistant'
                  THEN event_json END
                END AS json
         FROM (SELECT rowid, event_json, created_at FROM transcript_events ORDER BY rowid DESC LIMIT ?)
         ORDER BY rowid DESC`,
      )
      .all(tailRows) as Row[];
    for (const row of rows) {
      if (row.compressed) return null;
      const call = row.json ? toolCallOfEvent(row.json) : undefined;
      if (call) return { call, at: typeof row.createdAt === "number" ? row.createdAt : 0 };
    }
    return null;
  } finally {
    db.close();
  }
}

export function createActivityReader(options: ActivityReaderOptions): ActivityReader {
  const maxDbBytes = options.maxDbBytes ?? 64 * 1024 * 1024;
  const maxWalBytes = options.maxWalBytes ?? 32 * 1024 * 1024;
  const maxAgeMs = options.maxAgeMs ?? 10 * 60_000;
  const now = options.now ?? Date.now;

  async function activityOfAgent(agent: string): Promise<string | null> {
    const owners = (await options.ownersOf?.(agent)) ?? [];
    const agentDir = join(options.agentsDir, agent);
    // The WAL first: a checkpoint between the two reads then leaves the database newer, not older.
    const files = await withDirectory(join(agentDir, "state"), ["agents", agent, "agent"], async (at) => {
      const wal = await readCapped(at(`${transcriptDbName}-wal`), maxWalBytes, owners);
      const db = await readCapped(at(transcriptDbName), maxDbBytes, owners);
      return db ? { db, wal } : undefined;
    });
    if (!files) return null;
    // A panel-only directory (never mounted): SQLite opens this copy, and replays the log into it.
    const staging = join(agentDir, "staging");
    // Not recursive: an agent deleted meanwhile is not brought back as an empty directory.
    await mkdir(staging, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "EEXIST") throw error;
    });
    const dir = await mkdtemp(join(staging, "activity-"));
    try {
      const copy = join(dir, transcriptDbName);
      await writeFile(copy, files.db, { mode: 0o600, flag: "wx" });
      if (files.wal) await writeFile(`${copy}-wal`, files.wal, { mode: 0o600, flag: "wx" });
      const last = lastToolCall(copy);
      if (!last || now() - last.at > maxAgeMs) return null;
      return describeToolCall(last.call.name, last.call.args);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  return {
    async activityOf(owner) {
      if (!("agent" in owner)) return null;
      const name = dnsLabel.safeParse(owner.agent);
      if (!name.success) return null;
      try {
        return await activityOfAgent(name.data);
      } catch {
        return null;
      }
    },
  };
}
