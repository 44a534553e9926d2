import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDb, type Db } from "../db/client";
import { applyMigrations } from "../db/migrate";
import { type HostKey, loadOrCreateHostKey } from "../keys/host-key";
import { type AuditLog, createAuditLog } from "./audit-log";

export type TestAuditLog = {
  dir: string;
  dbPath: string;
  checkpointsPath: string;
  db: Db;
  hostKey: HostKey;
  audit: AuditLog;
};

/** A real SQLite file, a real key and a real checkpoint file in a fresh temp dir. */
export async function createTestAuditLog(
  options: { checkpointEvery?: number; disk?: FakeDisk } = {},
): Promise<TestAuditLog> {
  const dir = await mkdtemp(join(tmpdir(), "claw-audit-"));
  const dbPath = join(dir, "claw.db");
  const checkpointsPath = join(dir, "audit", "checkpoints.log");
  applyMigrations({ dbPath });
  const db = createDb(dbPath);
  const hostKey = await loadOrCreateHostKey(join(dir, "keys"));
  const audit = createAuditLog({
    db: options.disk ? onDisk(db, options.disk) : db,
    hostKey,
    checkpointsPath,
    checkpointEvery: options.checkpointEvery ?? 100,
    checkpointIntervalMs: 3_600_000, // tests checkpoint explicitly
  });
  return { dir, dbPath, checkpointsPath, db, hostKey, audit };
}

export function sampleEvent(i: number) {
  return {
    category: "panel" as const,
    action: "test_event",
    actor: "system",
    outcome: "ok" as const,
    details: { i, note: `event ${i}` },
  };
}

/** A disk the test fills and frees: while full, the DB's writes fail as they do on a full tmpfs. */
export type FakeDisk = { full: boolean };

/** SQLITE_FULL as the Prisma adapter reports it (seen on a full tmpfs): at the commit, with its cause. */
export function sqliteFullError(): Error {
  return new Error("database or disk is full", {
    cause: {
      originalCode: "SQLITE_FULL",
      originalMessage: "database or disk is full",
      kind: "sqlite",
      message: "database or disk is full",
    },
  });
}

/** The client with its writes (transactions and checkpoint inserts) failing while `disk.full`. */
function onDisk(db: Db, disk: FakeDisk): Db {
  const bound = (target: object, key: string | symbol) => {
    const value = Reflect.get(target, key) as unknown;
    return typeof value === "function" ? value.bind(target) : value;
  };
  const checkpoints = new Proxy(db.auditCheckpoint, {
    get: (target, key) =>
      key === "create" && disk.full ? () => Promise.reject(sqliteFullError()) : bound(target, key),
  });
  return new Proxy(db, {
    get(target, key) {
      if (key === "auditCheckpoint") return checkpoints;
      if (key === "$transaction" && disk.full) return () => Promise.reject(sqliteFullError());
      return bound(target, key);
    },
  });
}
