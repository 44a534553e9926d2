/**
 * Each way of tampering the issue names, done to the real SQLite file and the real checkpoint
 * file, must make verify fail and name the place.
 */
import { readFile, writeFile } from "node:fs/promises";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { hashEvent } from "./audit-chain";
import { isoTime, type RawAuditRow } from "./audit-reader";
import { createTestAuditLog, sampleEvent, type TestAuditLog } from "./audit-test-log";
import { verifyAuditLog } from "./verify-audit-log";

/** 45 events, checkpoints at 10, 20, 30, 40 and 45; the log closed, as after a panel stop. */
async function sealedLog(): Promise<TestAuditLog> {
  const log = await createTestAuditLog({ checkpointEvery: 10 });
  for (let i = 1; i <= 45; i++) {
    await log.audit.record(sampleEvent(i));
    if (i % 10 === 0) await log.audit.checkpoint();
  }
  await log.audit.close();
  await log.db.$disconnect();
  return log;
}

async function tamperDb(log: TestAuditLog, work: (db: Database.Database) => void) {
  const db = new Database(log.dbPath);
  try {
    work(db);
  } finally {
    db.close();
  }
}

async function tamperFile(log: TestAuditLog, work: (lines: string[]) => string[]) {
  const lines = (await readFile(log.checkpointsPath, "utf8")).trimEnd().split("\n");
  await writeFile(log.checkpointsPath, `${work(lines).join("\n")}\n`);
}

const verify = (log: TestAuditLog) =>
  verifyAuditLog({
    dbPath: log.dbPath,
    checkpointsPath: log.checkpointsPath,
    publicKey: log.hostKey.publicKey,
  });

describe("audit tamper matrix", () => {
  it("an untouched log verifies", async () => {
    const report = await verify(await sealedLog());
    expect(report).toMatchObject({ ok: true, rows: 45, checkpoints: 5, uncoveredRows: 0 });
  });

  it("detects an edited row and names it", async () => {
    const log = await sealedLog();
    await tamperDb(log, (db) =>
      db.prepare(`UPDATE audit_events SET details = '{"i":7,"note":"nothing happened"}' WHERE id = 7`).run(),
    );
    const report = await verify(log);
    expect(report.ok).toBe(false);
    expect(report.problems[0]).toMatchObject({ kind: "edited_row", row: 7 });
    expect(report.problems[0]?.message).toContain("row 7 was edited");
  });

  it("detects a row deleted from the middle", async () => {
    const log = await sealedLog();
    await tamperDb(log, (db) => db.prepare("DELETE FROM audit_events WHERE id = 12").run());
    const report = await verify(log);
    expect(report.problems[0]).toMatchObject({ kind: "missing_row", row: 12 });
    expect(report.problems[0]?.message).toContain("row 12 is missing");
  });

  it("detects reordered rows", async () => {
    const log = await sealedLog();
    await tamperDb(log, (db) => {
      db.prepare("UPDATE audit_events SET id = -1 WHERE id = 20").run();
      db.prepare("UPDATE audit_events SET id = 20 WHERE id = 21").run();
      db.prepare("UPDATE audit_events SET id = 21 WHERE id = -1").run();
    });
    const report = await verify(log);
    expect(report.ok).toBe(false);
    expect(report.problems[0]?.row).toBe(20);
  });

  it("detects a truncated tail, even with the DB's own checkpoints cut to match", async () => {
    const log = await sealedLog();
    await tamperDb(log, (db) => {
      db.prepare("DELETE FROM audit_events WHERE id > 33").run();
      db.prepare("DELETE FROM audit_checkpoints WHERE tree_size > 33").run();
    });
    const report = await verify(log);
    expect(report.problems[0]).toMatchObject({ kind: "truncated_tail", row: 34, treeSize: 45 });
    expect(report.problems[0]?.message).toContain("rows 34–45 were removed");
  });

  it("detects a chain rewritten with recomputed hashes", async () => {
    const log = await sealedLog();
    await tamperDb(log, (db) => {
      const rows = db.prepare("SELECT * FROM audit_events WHERE id >= 15 ORDER BY id").all() as RawAuditRow[];
      let previous = (db.prepare("SELECT hash FROM audit_events WHERE id = 14").get() as { hash: string })
        .hash;
      const update = db.prepare("UPDATE audit_events SET details = ?, prev_hash = ?, hash = ? WHERE id = ?");
      for (const row of rows) {
        const details = row.id === 15 ? '{"i":15,"note":"rewritten"}' : row.details;
        const { prev_hash: _p, hash: _h, ...content } = row;
        const hash = hashEvent(previous, {
          ...content,
          time: isoTime(row.time),
          details: JSON.parse(details),
        });
        update.run(details, previous, hash, row.id);
        previous = hash;
      }
    });
    const report = await verify(log);
    expect(report.problems[0]).toMatchObject({ kind: "rewritten_chain", row: 11, treeSize: 20 });
    expect(report.problems[0]?.message).toContain("rows 11–20 were rewritten");
  });

  it("detects an edited checkpoint file line", async () => {
    const log = await sealedLog();
    await tamperFile(log, (lines) =>
      lines.map((line, i) => (i === 1 ? line.replace(/"treeSize":20/, '"treeSize":19') : line)),
    );
    const report = await verify(log);
    expect(report.problems[0]).toMatchObject({ kind: "bad_checkpoint", line: 2 });
    expect(report.problems[0]?.message).toContain("checkpoints.log line 2");
  });

  it("detects a checkpoint line deleted from the file", async () => {
    const log = await sealedLog();
    await tamperFile(log, (lines) => lines.filter((_, i) => i !== 2));
    const report = await verify(log);
    expect(report.problems[0]).toMatchObject({ kind: "checkpoint_mismatch", treeSize: 30 });
  });

  it("detects a forged checkpoint in the database", async () => {
    const log = await sealedLog();
    await tamperDb(log, (db) =>
      db.prepare("UPDATE audit_checkpoints SET head_hash = ? WHERE tree_size = 40").run("f".repeat(64)),
    );
    const report = await verify(log);
    expect(report.problems.map((p) => p.kind)).toContain("bad_checkpoint");
    expect(report.problems.find((p) => p.kind === "bad_checkpoint")?.treeSize).toBe(40);
  });
});
