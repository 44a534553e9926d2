import { type AuditReader, isoTime } from "./audit-reader";
import { canonicalJson } from "./canonical-json";

export type AuditExportFilter = { since?: string; agent?: string };

/**
 * JSONL: a header (format, key id and public key, so the file can be checked elsewhere), one line
 * per event with its hashes, then every checkpoint. Counts events as it goes.
 */
export function* exportAuditJsonl(
  reader: AuditReader,
  options: { filter: AuditExportFilter; keyId: string; publicKey: Uint8Array; counter?: { events: number } },
): Generator<string> {
  yield `${canonicalJson({
    type: "header",
    format: "claw.audit.export.v1",
    exportedAt: new Date().toISOString(),
    keyId: options.keyId,
    publicKey: Buffer.from(options.publicKey).toString("base64"),
    filter: { since: options.filter.since ?? null, agent: options.filter.agent ?? null },
  })}\n`;
  for (const row of reader.rows({ sinceTime: options.filter.since, agent: options.filter.agent })) {
    let details: unknown;
    try {
      details = JSON.parse(row.details);
    } catch {
      details = row.details; // exported as stored; verify will flag it
    }
    if (options.counter) options.counter.events += 1;
    yield `${canonicalJson({ type: "event", ...row, time: isoTime(row.time), details })}\n`;
  }
  for (const checkpoint of reader.checkpoints())
    yield `${canonicalJson({ type: "checkpoint", ...checkpoint })}\n`;
}
