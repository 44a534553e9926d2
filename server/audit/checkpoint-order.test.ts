/**
 * The order of a checkpoint's two copies, with the DB's writes failing as on a full disk (the
 * adapter's SQLITE_FULL error; test/fault-disk.test.ts fills a real one) and a checkpoint file
 * that cannot be written: a line is filed only for a row that committed, and the start repairs
 * homes the old order (file first) left apart.
 */
import { mkdir, readFile, rename, rmdir, writeFile } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
import { checkpointStatement, type SignedCheckpoint } from "./audit-chain";
import { createTestAuditLog, type FakeDisk, sampleEvent, type TestAuditLog } from "./audit-test-log";
import { checkpointLine } from "./plan-checkpoint-repair";
import { verifyAuditLog } from "./verify-audit-log";

let log: TestAuditLog | undefined;
afterEach(async () => {
  await log?.audit.close().catch(() => {});
  await log?.db.$disconnect();
  log = undefined;
});

const verify = (l: TestAuditLog) =>
  verifyAuditLog({ dbPath: l.dbPath, checkpointsPath: l.checkpointsPath, publicKey: l.hostKey.publicKey });

const fileSizes = async (l: TestAuditLog) =>
  (await readFile(l.checkpointsPath, "utf8").catch(() => ""))
    .split("\n")
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { treeSize: number }).treeSize);

const dbSizes = async (l: TestAuditLog) =>
  (await l.db.auditCheckpoint.findMany({ orderBy: { treeSize: "asc" } })).map((row) => row.treeSize);

/** A checkpoint line as the old order wrote it: signed and filed, whatever the DB then did. */
async function signedLine(
  l: TestAuditLog,
  treeSize: number,
  time: string,
  headHash?: string,
): Promise<SignedCheckpoint> {
  const row = await l.db.auditEvent.findUniqueOrThrow({ where: { id: treeSize } });
  const statement = { treeSize, headHash: headHash ?? row.hash, time, keyId: l.hostKey.keyId };
  const signature = Buffer.from(l.hostKey.sign(checkpointStatement(statement))).toString("base64");
  return { ...statement, signature };
}

describe("checkpoint order", () => {
  it("files no line for a checkpoint whose row did not commit, however often it is retried", async () => {
    const disk: FakeDisk = { full: false };
    log = await createTestAuditLog({ disk });
    for (let i = 1; i <= 3; i++) await log.audit.record(sampleEvent(i));
    await log.audit.checkpoint();
    for (let i = 4; i <= 6; i++) await log.audit.record(sampleEvent(i));

    disk.full = true;
    for (let tick = 0; tick < 3; tick++) {
      await expect(log.audit.checkpoint()).rejects.toThrow(
        `The disk holding CLAW_HOME (${log.dir}) is full.`,
      );
    }
    expect(await fileSizes(log)).toEqual([3]);
    expect(await dbSizes(log)).toEqual([3]);
    expect((await verify(log)).ok).toBe(true);

    disk.full = false;
    expect(await log.audit.checkpoint()).toMatchObject({ treeSize: 6 });
    expect(await fileSizes(log)).toEqual([3, 6]);
    expect(await verify(log)).toMatchObject({ ok: true, checkpoints: 2, uncoveredRows: 0 });
  });

  it("says the disk is full when an event cannot be recorded, and records nothing", async () => {
    const disk: FakeDisk = { full: false };
    log = await createTestAuditLog({ disk });
    await log.audit.record(sampleEvent(1));
    disk.full = true;
    const refused = log.audit.record(sampleEvent(2));
    await expect(refused).rejects.toMatchObject({
      code: "UNAVAILABLE",
      message: `The disk holding CLAW_HOME (${log.dir}) is full.`,
      fix: expect.stringContaining("move CLAW_HOME"),
    });
    await expect(log.audit.transaction((_tx, record) => record(sampleEvent(3)))).rejects.toThrow("is full");
    disk.full = false;
    expect((await log.audit.record(sampleEvent(4))).id).toBe(2);
    expect((await verify(log)).ok).toBe(true);
  });

  it("files a line whose write failed on the next checkpoint, or at the next start", async () => {
    log = await createTestAuditLog();
    for (let i = 1; i <= 3; i++) await log.audit.record(sampleEvent(i));
    await log.audit.checkpoint();
    await log.audit.record(sampleEvent(4));
    // A folder where the file should be: the DB insert works, the append does not.
    const aside = `${log.checkpointsPath}.aside`;
    await rename(log.checkpointsPath, aside);
    await mkdir(log.checkpointsPath);
    await expect(log.audit.checkpoint()).rejects.toThrow();
    expect(await dbSizes(log)).toEqual([3, 4]);
    await rmdir(log.checkpointsPath);
    await rename(aside, log.checkpointsPath);
    expect(await fileSizes(log)).toEqual([3]);
    expect(await log.audit.checkpoint()).toBeUndefined(); // nothing new to sign, the old line filed
    expect(await fileSizes(log)).toEqual([3, 4]);
    expect((await verify(log)).ok).toBe(true);

    // The same gap left by a crash between the DB and the file: the start fills it, audited.
    await log.audit.record(sampleEvent(5));
    await log.audit.checkpoint();
    const lines = (await readFile(log.checkpointsPath, "utf8")).trimEnd().split("\n");
    await writeFile(log.checkpointsPath, `${lines.slice(0, -1).join("\n")}\n`);
    expect((await verify(log)).problems[0]?.kind).toBe("checkpoint_mismatch");
    expect(await log.audit.recover()).toBe("wrote checkpoint 5 to checkpoints.log, which lacked it");
    expect(await fileSizes(log)).toEqual([3, 4, 5]);
    expect((await verify(log)).ok).toBe(true);
    const note = await log.db.auditEvent.findFirstOrThrow({
      where: { action: "audit_checkpoints_repaired" },
    });
    expect(JSON.parse(note.details)).toMatchObject({ filedFromDatabase: [5] });
  });

  it("repairs a home the old order left apart: re-signed copies of a head whose row never committed", async () => {
    log = await createTestAuditLog();
    for (let i = 1; i <= 3; i++) await log.audit.record(sampleEvent(i));
    await log.audit.checkpoint();
    for (let i = 4; i <= 6; i++) await log.audit.record(sampleEvent(i));
    // What the issue saw: every tick filed size 6 while its insert failed; then space came back,
    // more events, and a checkpoint at 8 went to both.
    const copies = await Promise.all(
      [10, 20, 30].map((s) => signedLine(log as TestAuditLog, 6, `2026-01-01T00:00:${s}.000Z`)),
    );
    await writeFile(log.checkpointsPath, `${copies.map(checkpointLine).join("\n")}\n`, { flag: "a" });
    for (let i = 7; i <= 8; i++) await log.audit.record(sampleEvent(i));
    const eight = await signedLine(log, 8, "2026-01-01T00:01:00.000Z");
    await writeFile(log.checkpointsPath, `${checkpointLine(eight)}\n`, { flag: "a" });
    await log.db.auditCheckpoint.create({ data: { ...eight, time: new Date(eight.time) } });
    const before = await verify(log);
    expect(before.problems.map((p) => p.message)).toContain(
      "checkpoints.log line 3 is out of order (size 6 after 6)",
    );

    expect(await log.audit.recover()).toBe(
      "restored checkpoint 6 to the database; removed 2 re-signed copies of checkpoint 6 whose database row never committed",
    );
    expect(await fileSizes(log)).toEqual([3, 6, 8]);
    expect(await dbSizes(log)).toEqual([3, 6, 8]);
    expect(await verify(log)).toMatchObject({ ok: true, checkpoints: 3 });
    expect(await log.audit.recover()).toBeUndefined();
    const note = await log.db.auditEvent.findFirstOrThrow({
      where: { action: "audit_checkpoints_repaired" },
    });
    expect(JSON.parse(note.details)).toMatchObject({ restoredToDatabase: [6], removedCopies: 2 });
  });

  it("leaves what no failed write explains for verify to name", async () => {
    log = await createTestAuditLog();
    for (let i = 1; i <= 4; i++) await log.audit.record(sampleEvent(i));
    await log.audit.checkpoint();
    // Validly signed over a head the rows do not have (they were rewritten), and an edited line.
    const rewritten = await signedLine(log, 5 - 1, "2026-01-01T00:00:00.000Z", "f".repeat(64));
    const edited = { ...(await signedLine(log, 4, "2026-01-01T00:00:01.000Z")), treeSize: 3 };
    await log.db.auditCheckpoint.deleteMany({});
    await writeFile(log.checkpointsPath, `${checkpointLine(rewritten)}\n${checkpointLine(edited)}\n`);
    const text = await readFile(log.checkpointsPath, "utf8");
    expect(await log.audit.recover()).toBeUndefined();
    expect(await readFile(log.checkpointsPath, "utf8")).toBe(text);
    expect((await verify(log)).ok).toBe(false);
  });

  it("records the repair before making it: a full disk leaves the file as it was", async () => {
    const disk: FakeDisk = { full: false };
    log = await createTestAuditLog({ disk });
    for (let i = 1; i <= 3; i++) await log.audit.record(sampleEvent(i));
    await log.audit.checkpoint();
    await writeFile(log.checkpointsPath, '{"treeSize":4,"head', { flag: "a" });
    const text = await readFile(log.checkpointsPath, "utf8");
    disk.full = true;
    await expect(log.audit.recover()).rejects.toThrow("is full");
    expect(await readFile(log.checkpointsPath, "utf8")).toBe(text);
    disk.full = false;
    expect(await log.audit.recover()).toContain("half written");
    expect((await verify(log)).ok).toBe(true);
  });
});
