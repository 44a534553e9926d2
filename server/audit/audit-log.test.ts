import { appendFile, readFile } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
import { createTestAuditLog, sampleEvent, type TestAuditLog } from "./audit-test-log";
import { verifyAuditLog } from "./verify-audit-log";

let log: TestAuditLog | undefined;
afterEach(async () => {
  await log?.audit.close();
  await log?.db.$disconnect();
  log = undefined;
});

const verify = (l: TestAuditLog) =>
  verifyAuditLog({ dbPath: l.dbPath, checkpointsPath: l.checkpointsPath, publicKey: l.hostKey.publicKey });

describe("createAuditLog", () => {
  it("appends a gapless chain, even when many appends race", async () => {
    log = await createTestAuditLog();
    const rows = await Promise.all(Array.from({ length: 50 }, (_, i) => log?.audit.record(sampleEvent(i))));
    expect(rows.map((row) => row?.id).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    const report = await verify(log);
    expect(report).toMatchObject({ ok: true, rows: 50, problems: [] });
  });

  it("commits an event with the change it describes, or neither", async () => {
    log = await createTestAuditLog();
    await log.audit.record(sampleEvent(1));
    await expect(
      log.audit.transaction(async (tx, record) => {
        await tx.session.create({ data: { id: "a".repeat(64), expiresAt: new Date(Date.now() + 60_000) } });
        await record(sampleEvent(2));
        throw new Error("the change failed half way");
      }),
    ).rejects.toThrow("half way");
    expect(await log.db.session.count()).toBe(0);
    expect(await log.db.auditEvent.count()).toBe(1);
    const next = await log.audit.record(sampleEvent(3));
    expect(next.id).toBe(2);
    expect((await verify(log)).ok).toBe(true);
  });

  it("refuses malformed events with a clear message", async () => {
    log = await createTestAuditLog();
    await expect(log.audit.record({ ...sampleEvent(1), action: "Not Snake" })).rejects.toThrow(
      /action must be snake_case/,
    );
    await expect(log.audit.record({ ...sampleEvent(1), actor: "mallory" })).rejects.toThrow(/actor/);
    await expect(
      log.audit.record({ ...sampleEvent(1), details: { blob: "x".repeat(20_000) } }),
    ).rejects.toThrow(/bytes/);
    expect(await log.db.auditEvent.count()).toBe(0);
  });

  it("finishes a checkpoint a crash interrupted, and nothing else", async () => {
    log = await createTestAuditLog();
    for (let i = 0; i < 3; i++) await log.audit.record(sampleEvent(i));
    await log.audit.checkpoint();
    // The crash fell between the file and the DB: the DB lost its copy.
    await log.db.auditCheckpoint.deleteMany({});
    expect((await verify(log)).problems[0]?.kind).toBe("checkpoint_mismatch");
    expect(await log.audit.recover()).toBe("restored checkpoint 3 to the database");
    expect((await verify(log)).ok).toBe(true);
    expect(await log.audit.recover()).toBeUndefined();

    // The crash fell mid-write: a torn last line.
    await appendFile(log.checkpointsPath, '{"treeSize":4,"headHa');
    expect(await log.audit.recover()).toContain("half written");
    expect((await verify(log)).ok).toBe(true);
  });

  it("signs a checkpoint every N events, in the DB and the file alike, and one more on close", async () => {
    log = await createTestAuditLog({ checkpointEvery: 10 });
    for (let i = 0; i < 25; i++) await log.audit.record(sampleEvent(i));
    const sizes = (await log.db.auditCheckpoint.findMany({ orderBy: { treeSize: "asc" } })).map(
      (c) => c.treeSize,
    );
    expect(sizes).toEqual([10, 20]);
    expect(await log.audit.checkpoint()).toMatchObject({ treeSize: 25 });
    expect(await log.audit.checkpoint()).toBeUndefined(); // nothing new, nothing signed
    await log.audit.record(sampleEvent(26));
    await log.audit.close();
    const lines = (await readFile(log.checkpointsPath, "utf8")).trim().split("\n");
    expect(lines.map((line) => (JSON.parse(line) as { treeSize: number }).treeSize)).toEqual([
      10, 20, 25, 26,
    ]);
    const report = await verify(log);
    expect(report).toMatchObject({
      ok: true,
      rows: 26,
      checkpoints: 4,
      lastCheckpointSize: 26,
      uncoveredRows: 0,
    });
  });
});
