import type { Db } from "../db/client";

export type EgressTotals = {
  allowed: number;
  denied: number;
  bytesUp: number;
  bytesDown: number;
  firstAt: string | null;
  lastAt: string | null;
};

export type EgressHostRow = {
  host: string;
  port: number;
  allowed: number;
  denied: number;
  bytesUp: number;
  bytesDown: number;
  lastAt: string;
};

type RawTotals = { [K in keyof EgressTotals]: EgressTotals[K] | bigint | null };
type RawHost = { [K in keyof EgressHostRow]: EgressHostRow[K] | bigint | null };

const count = (value: unknown) => Number(value ?? 0);

/**
 * An agent's egress from the audit log: totals, and per destination (most recent first). Read
 * from the log itself, so the numbers are what the chain holds, across panel restarts.
 */
export async function summarizeEgress(
  db: Db,
  agent: string,
  hostLimit = 50,
): Promise<{ totals: EgressTotals; hosts: EgressHostRow[] }> {
  const [totals] = await db.$queryRaw<RawTotals[]>`
    SELECT SUM(outcome = 'ok') AS allowed, SUM(outcome = 'denied') AS denied,
           SUM(COALESCE(json_extract(details, '$.bytesUp'), 0)) AS bytesUp,
           SUM(COALESCE(json_extract(details, '$.bytesDown'), 0)) AS bytesDown,
           MIN(time) AS firstAt, MAX(time) AS lastAt
    FROM audit_events WHERE agent = ${agent} AND category = 'egress'`;
  const hosts = await db.$queryRaw<RawHost[]>`
    SELECT json_extract(details, '$.host') AS host, json_extract(details, '$.port') AS port,
           SUM(outcome = 'ok') AS allowed, SUM(outcome = 'denied') AS denied,
           SUM(COALESCE(json_extract(details, '$.bytesUp'), 0)) AS bytesUp,
           SUM(COALESCE(json_extract(details, '$.bytesDown'), 0)) AS bytesDown,
           MAX(time) AS lastAt
    FROM audit_events WHERE agent = ${agent} AND category = 'egress'
    GROUP BY 1, 2 ORDER BY MAX(id) DESC LIMIT ${hostLimit}`;
  return {
    totals: {
      allowed: count(totals?.allowed),
      denied: count(totals?.denied),
      bytesUp: count(totals?.bytesUp),
      bytesDown: count(totals?.bytesDown),
      firstAt: (totals?.firstAt as string | null) ?? null,
      lastAt: (totals?.lastAt as string | null) ?? null,
    },
    hosts: hosts.map((row) => ({
      host: String(row.host ?? ""),
      port: count(row.port),
      allowed: count(row.allowed),
      denied: count(row.denied),
      bytesUp: count(row.bytesUp),
      bytesDown: count(row.bytesDown),
      lastAt: String(row.lastAt),
    })),
  };
}
