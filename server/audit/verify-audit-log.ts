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
