import type { AuditLog } from "../audit/audit-log";
import type { DbTransaction } from "../db/client";
import { endSession, listEndedSessions, type SessionEnd } from "./sessions";

/** Ends a session that ran out and records it once, in the same transaction as the delete. */
export function expireSession(audit: AuditLog, sessionId: string, reason: SessionEnd): Promise<boolean> {
  return audit.transaction(async (tx, record) => {
    const ended = await endSession(tx, sessionId);
    if (ended) {
      await record({
        category: "access",
        action: "session_expired",
        actor: "system",
        outcome: "ok",
        details: { session: sessionId.slice(0, 12), reason },
      });
    }
    return ended;
  });
}

/** The hourly sweep: every session past its end is removed and recorded. */
export async function sweepEndedSessions(db: DbTransaction, audit: AuditLog): Promise<number> {
  let count = 0;
  for (const session of await listEndedSessions(db)) {
    if (await expireSession(audit, session.id, session.reason)) count += 1;
  }
  return count;
}
