import type { Db } from "../db/client";
import { Prisma } from "../db/generated/client";
import { expectedDenialOf, expectedDenials } from "./expected-egress";

export type EgressTotals = {
  allowed: number;
  /** Denials to look at: the expected ones (expected-egress.ts) are counted apart. */
  denied: number;
  /** Denials of requests known to be harmless to refuse (OpenClaw's plugin catalog at start). */
  expected: number;
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
  /** Why this destination's denials are expected, when they are; null otherwise. */
  expected: string | null;
};

type RawTotals = { [K in keyof EgressTotals]: EgressTotals[K] | bigint | null };
type RawHost = { [K in keyof Omit<EgressHostRow, "expected">]: EgressHostRow[K] | bigint | null };

/** SQL: the event is a denial expected-egress.ts lists. */
const expectedSql = Prisma.sql`(outcome = 'denied' AND (${Prisma.join(
  expectedDenials.map(
    (entry) =>
      Prisma.sql`(json_extract(details, '$.host') = ${entry.host} AND json_extract(details, '$.port') = ${entry.port})`,
  ),
  " OR ",
)}))`;

const count = (value: unknown) => Number(value ?? 0);

/**
 * An agent's egress from the audit log: totals, and per destination (most recent first). Read
 * from the log itself, so the numbers are what the chain holds, across panel restarts. Expected
 * denials are counted apart from the others and their destinations say why.
 */
export async function summarizeEgress(
  db: Db,
  agent: string,
  hostLimit = 50,
): Promise<{ totals: EgressTotals; hosts: EgressHostRow[] }> {
  const [totals] = await db.$queryRaw<RawTotals[]>`
    SELECT SUM(outcome = 'ok') AS allowed, SUM(outcome = 'denied' AND NOT ${expectedSql}) AS denied,
           SUM(${expectedSql}) AS expected,
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
      expected: count(totals?.expected),
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
      expected: expectedDenialOf(String(row.host ?? ""), count(row.port))?.note ?? null,
    })),
  };
}
