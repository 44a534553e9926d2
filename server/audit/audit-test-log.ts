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
export async function createTestAuditLog(options: { checkpointEvery?: number } = {}): Promise<TestAuditLog> {
  const dir = await mkdtemp(join(tmpdir(), "claw-audit-"));
  const dbPath = join(dir, "claw.db");
  const checkpointsPath = join(dir, "audit", "checkpoints.log");
  applyMigrations({ dbPath });
  const db = createDb(dbPath);
  const hostKey = await loadOrCreateHostKey(join(dir, "keys"));
  const audit = createAuditLog({
    db,
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
