import type { AuditLog } from "./audit-log";
import { openAuditReader, readCheckpointLines } from "./audit-reader";
import { type AuditVerifyReport, verifyAuditChain } from "./verify-audit-chain";

export type AuditVerifyResult = AuditVerifyReport & { durationMs: number; verifiedAt: string };

/** Verifies the log as stored: the SQLite file and CLAW_HOME/audit/checkpoints.log. */
export async function verifyAuditLog(options: {
  dbPath: string;
  checkpointsPath: string;
  publicKey: Uint8Array;
}): Promise<AuditVerifyResult> {
  const started = performance.now();
  const fileLines = await readCheckpointLines(options.checkpointsPath);
  const reader = openAuditReader(options.dbPath);
  try {
    const report = verifyAuditChain({
      rows: reader.rows(),
      dbCheckpoints: reader.checkpoints(),
      fileLines,
      publicKey: options.publicKey,
    });
    return {
      ...report,
      durationMs: Math.round(performance.now() - started),
      verifiedAt: new Date().toISOString(),
    };
  } finally {
    reader.close();
  }
}

/** The Verify button: the whole chain recomputed from disk, and the verdict itself recorded. */
export async function verifyAndRecordAuditLog(
  options: Parameters<typeof verifyAuditLog>[0] & { audit: AuditLog; actor: string },
): Promise<AuditVerifyResult> {
  const result = await options.audit.quiet(() => verifyAuditLog(options));
  await options.audit.record({
    category: "panel",
    action: "audit_verified",
    actor: options.actor,
    outcome: result.ok ? "ok" : "error",
    details: {
      rows: result.rows,
      checkpoints: result.checkpoints,
      problems: result.problems.length,
      firstProblem: result.problems[0]?.message ?? null,
      durationMs: result.durationMs,
    },
  });
  return result;
}
