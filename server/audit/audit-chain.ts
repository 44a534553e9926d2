import { createHash } from "node:crypto";
import { z } from "zod";
import { auditCategories, auditOutcomes } from "../../shared/audit-categories";
import { canonicalJson } from "./canonical-json";

export { auditCategories, auditOutcomes };
export type AuditCategory = (typeof auditCategories)[number];
export type AuditOutcome = (typeof auditOutcomes)[number];

/** What a caller records; the log adds id, time and the hashes. */
export const auditEventInput = z.object({
  category: z.enum(auditCategories),
  action: z.string().regex(/^[a-z][a-z0-9_]{1,63}$/, "action must be snake_case"),
  actor: z
    .string()
    // agent:NAME and job:ID act on their own (their egress connections).
    .regex(
      /^(system|cli|panel:([0-9a-f]{1,64}|anonymous)|telegram:\d{1,20}|agent:[a-z][a-z0-9-]{0,39}|job:j-[a-z2-7]{10})$/,
      "unknown actor form",
    ),
  agent: z.string().min(1).max(64).nullish(),
  outcome: z.enum(auditOutcomes),
  details: z.record(z.string(), z.json()).default({}),
});
export type AuditEventInput = z.input<typeof auditEventInput>;

/** The hashed part of a row: everything but the hashes themselves. */
export type AuditEventContent = {
  id: number;
  time: string;
  category: string;
  action: string;
  actor: string;
  agent: string | null;
  outcome: string;
  details: unknown;
};

export type AuditEventRow = AuditEventContent & { prevHash: string; hash: string };

export const genesisHash = "0".repeat(64);
export const maxDetailsBytes = 16 * 1024;

/**
 * RFC 8785 text of a row's content, written out in JCS key order. `detailsJson` is the details'
 * own canonical text, as stored: verify splices the stored bytes in unparsed, so any edit to them
 * changes the hash (and a million rows verify without a million JSON round trips).
 */
export function canonicalContent(
  content: AuditEventContent,
  detailsJson = canonicalJson(content.details),
): string {
  if (!Number.isSafeInteger(content.id)) throw new TypeError("audit ids are integers");
  const text = JSON.stringify;
  return `{"action":${text(content.action)},"actor":${text(content.actor)},"agent":${content.agent === null ? "null" : text(content.agent)},"category":${text(content.category)},"details":${detailsJson},"id":${content.id},"outcome":${text(content.outcome)},"time":${text(content.time)}}`;
}

/** hash = SHA-256(prevHash ‖ JCS(content)), hex. The id inside the content makes order part of the hash. */
export function hashEvent(prevHash: string, content: AuditEventContent, detailsJson?: string): string {
  return createHash("sha256").update(prevHash).update(canonicalContent(content, detailsJson)).digest("hex");
}

export type Checkpoint = { treeSize: number; headHash: string; time: string; keyId: string };
export type SignedCheckpoint = Checkpoint & { signature: string };

/** The exact bytes a checkpoint signature covers. */
export function checkpointStatement(checkpoint: Checkpoint): Uint8Array {
  return new TextEncoder().encode(
    canonicalJson({
      type: "claw.audit.checkpoint.v1",
      treeSize: checkpoint.treeSize,
      headHash: checkpoint.headHash,
      time: checkpoint.time,
      keyId: checkpoint.keyId,
    }),
  );
}
