import { readFile } from "node:fs/promises";
import Database from "better-sqlite3";
import type { SignedCheckpoint } from "./audit-chain";
import type { StoredAuditRow } from "./verify-audit-chain";

/** A row of audit_events as SQLite returns it (column names, not the model's). */
export type RawAuditRow = Omit<StoredAuditRow, "prevHash"> & { prev_hash: string };
type RawCheckpoint = {
  tree_size: number;
  head_hash: string;
  time: string | number;
  key_id: string;
  signature: string;
};

export type AuditReader = {
  /** Rows in id order, streamed from disk: memory stays flat at a million rows. */
  rows(filter?: { sinceTime?: string; agent?: string }): IterableIterator<StoredAuditRow>;
  checkpoints(): SignedCheckpoint[];
  close(): void;
};

export function isoTime(value: string | number): string {
  return new Date(value).toISOString();
}

/**
 * A read-only connection of its own: verify and export read the file as it is on disk (WAL lets
 * them run beside the panel's writer) and never go through anything that could fix it up.
 */
export function openAuditReader(dbPath: string): AuditReader {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  return {
    *rows(filter = {}) {
      const where: string[] = [];
      const params: Record<string, string> = {};
      if (filter.sinceTime) {
        where.push("time >= @since");
        // Stored as the adapter writes it (ISO with +00:00); compare in the same form.
        params.since = new Date(filter.sinceTime).toISOString().replace("Z", "+00:00");
      }
      if (filter.agent) {
        where.push("agent = @agent");
        params.agent = filter.agent;
      }
      const sql = `SELECT id, time, category, action, actor, agent, outcome, details, prev_hash, hash FROM audit_events ${
        where.length ? `WHERE ${where.join(" AND ")}` : ""
      } ORDER BY id`;
      for (const raw of db.prepare(sql).iterate(params) as IterableIterator<RawAuditRow>) {
        const { prev_hash, ...rest } = raw;
        yield { ...rest, prevHash: prev_hash };
      }
    },
    checkpoints() {
      const rows = db
        .prepare(
          "SELECT tree_size, head_hash, time, key_id, signature FROM audit_checkpoints ORDER BY tree_size",
        )
        .all() as RawCheckpoint[];
      return rows.map((row) => ({
        treeSize: row.tree_size,
        headHash: row.head_hash,
        time: isoTime(row.time),
        keyId: row.key_id,
        signature: row.signature,
      }));
    },
    close: () => db.close(),
  };
}

export async function readCheckpointLines(path: string): Promise<string[]> {
  const text = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return "";
    throw error;
  });
  return text.split("\n").filter((line, index, lines) => line !== "" || index < lines.length - 1);
}
