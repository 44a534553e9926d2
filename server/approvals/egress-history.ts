import type { Db } from "../db/client";
import type { EgressEvent } from "./propose-allowlist";

/** The most events a proposal reads: enough for days of a busy agent, bounded for the panel. */
export const egressHistoryCap = 20_000;

/**
 * An agent's egress events since `since`, newest first, as a proposal reads them: what `learn`
 * mode let through and every denial (a person's denials too, which a proposal must not undo).
 * Connections allowed by a rule are left out: they need nothing added. `truncated` says the cap
 * was reached and older events were not read.
 */
export async function readEgressHistory(
  db: Db,
  agent: string,
  since: Date,
  cap = egressHistoryCap,
): Promise<{ events: EgressEvent[]; truncated: boolean }> {
  const rows = await db.auditEvent.findMany({
    where: {
      category: "egress",
      agent,
      time: { gte: since },
      OR: [{ action: "egress_denied" }, { action: "egress_allowed", details: { contains: "learn mode" } }],
    },
    orderBy: { id: "desc" },
    take: cap + 1,
    select: { time: true, action: true, details: true },
  });
  return {
    events: rows.slice(0, cap).map((row) => ({
      time: row.time.toISOString(),
      action: row.action,
      details: JSON.parse(row.details) as unknown,
    })),
    truncated: rows.length > cap,
  };
}
