/**
 * A verify of the live log reads checkpoints.log and the DB inside `quiet`: a checkpoint that
 * commits its row between the two reads would look like a line missing from the file.
 */
import { afterEach, expect, it } from "vitest";
import { createTestAuditLog, sampleEvent, type TestAuditLog } from "./audit-test-log";
import { verifyAuditLog } from "./verify-audit-log";

let log: TestAuditLog | undefined;
afterEach(async () => {
  await log?.audit.close().catch(() => {});
  await log?.db.$disconnect();
  log = undefined;
});

it("holds new checkpoints until the quiet work ends, and never stalls an append", async () => {
  log = await createTestAuditLog({ checkpointEvery: 5 });
  const { audit } = log;
  for (let i = 0; i < 3; i++) await audit.record(sampleEvent(i));
  let release = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const quiet = audit.quiet(() => gate);
  const signed = audit.checkpoint();
  // Crossing the threshold during the quiet work: the append returns, its checkpoint waits.
  for (let i = 3; i < 6; i++) await audit.record(sampleEvent(i));
  expect(await log.db.auditCheckpoint.count()).toBe(0);
  release();
  await quiet;
  expect((await signed)?.treeSize).toBeGreaterThanOrEqual(3);
  await audit.checkpoint();
  const l = log;
  const report = await audit.quiet(() =>
    verifyAuditLog({ dbPath: l.dbPath, checkpointsPath: l.checkpointsPath, publicKey: l.hostKey.publicKey }),
  );
  expect(report.ok).toBe(true);
  expect(await log.db.auditCheckpoint.count()).toBeGreaterThan(0);
});

it("lets verify run concurrently with checkpoints without a false mismatch", async () => {
  log = await createTestAuditLog({ checkpointEvery: 2 });
  const { audit } = log;
  const l = log;
  const writing = (async () => {
    for (let i = 0; i < 200; i++) await audit.record(sampleEvent(i));
  })();
  const verdicts: boolean[] = [];
  for (let round = 0; round < 20; round++) {
    const report = await audit.quiet(() =>
      verifyAuditLog({
        dbPath: l.dbPath,
        checkpointsPath: l.checkpointsPath,
        publicKey: l.hostKey.publicKey,
      }),
    );
    verdicts.push(report.ok);
  }
  await writing;
  expect(verdicts.every(Boolean)).toBe(true);
});
