import type { Db } from "../db/client";
import type { AuditEventRow } from "./audit-chain";
import type { AuditLog } from "./audit-log";
import { type AuditFilter, auditRowFromDb, matchesAuditFilter } from "./query-audit-log";

type Subscriber = { filter: AuditFilter; afterId: number; send: (events: AuditEventRow[]) => void };

export type AuditTail = {
  /** Delivers committed events newer than now that match `filter`, in batches. */
  subscribe(filter: AuditFilter, send: (events: AuditEventRow[]) => void): Promise<() => void>;
  close(): void;
};

const pollMs = 1_000;
const batch = 500;

/**
 * One reader for every live view: it reads only committed rows (so an event recorded in a
 * transaction that later rolls back never shows), wakes at once on an append and polls as a
 * fallback for writes it was not told about.
 */
export function createAuditTail(deps: { db: Db; audit: AuditLog }): AuditTail {
  const subscribers = new Set<Subscriber>();
  let running = false;
  let again = false;

  async function pump() {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        if (subscribers.size === 0) break;
        const from = Math.min(...[...subscribers].map((s) => s.afterId));
        const rows = (
          await deps.db.auditEvent.findMany({
            where: { id: { gt: from } },
            orderBy: { id: "asc" },
            take: batch,
          })
        ).map(auditRowFromDb);
        for (const subscriber of subscribers) {
          const mine = rows.filter(
            (row) => row.id > subscriber.afterId && matchesAuditFilter(row, subscriber.filter),
          );
          const last = rows.at(-1);
          if (last) subscriber.afterId = Math.max(subscriber.afterId, last.id);
          if (mine.length > 0) subscriber.send(mine);
        }
        if (rows.length === batch) again = true;
      } while (again);
    } finally {
      running = false;
    }
  }

  const wake = () => void pump().catch((error: unknown) => console.error("[audit] tail failed:", error));
  const stopListening = deps.audit.onAppend(wake);
  const timer = setInterval(wake, pollMs);
  timer.unref();

  return {
    async subscribe(filter, send) {
      const head = await deps.db.auditEvent.findFirst({ orderBy: { id: "desc" }, select: { id: true } });
      const subscriber: Subscriber = { filter, afterId: head?.id ?? 0, send };
      subscribers.add(subscriber);
      return () => subscribers.delete(subscriber);
    },
    close() {
      stopListening();
      clearInterval(timer);
      subscribers.clear();
    },
  };
}
