import { createHash, randomBytes } from "node:crypto";
import type { DbTransaction } from "../db/client";
import { cookieValues } from "./cookies";

/** A session ends 7 days after login, or after 24 hours without use, whichever comes first. */
export const sessionLifetimeMs = 7 * 24 * 3600_000;
export const sessionIdleMs = 24 * 3600_000;
/** lastSeenAt is refreshed at most this often, so reads stay reads. */
const touchEveryMs = 60_000;

/** Cookies ignore ports: a name per port keeps two panels (or a test panel) from clobbering each other. */
export function sessionCookieName(port: number): string {
  return `claw_session_${port}`;
}

/** The DB keeps only a hash: whoever reads claw.db still cannot ride a session. */
export function sessionIdOf(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

export type SessionEnd = "expired" | "idle";

export async function createSession(db: DbTransaction, options: { userAgent?: string; now?: Date } = {}) {
  const now = options.now ?? new Date();
  const secret = randomBytes(32).toString("base64url");
  const session = await db.session.create({
    data: {
      id: sessionIdOf(secret),
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + sessionLifetimeMs),
      userAgent: options.userAgent?.slice(0, 300) ?? null,
    },
  });
  return { secret, session };
}

export type SessionLookup =
  | { status: "valid"; sessionId: string }
  | { status: "ended"; sessionId: string; reason: SessionEnd }
  | { status: "unknown" };

/** Finds the session for a cookie secret. An ended one is reported, not removed: see endSession. */
export async function findSession(
  db: DbTransaction,
  secret: string,
  now = new Date(),
): Promise<SessionLookup> {
  const id = sessionIdOf(secret);
  const session = await db.session.findUnique({ where: { id } });
  if (!session) return { status: "unknown" };
  const reason: SessionEnd | undefined =
    session.expiresAt.getTime() <= now.getTime()
      ? "expired"
      : now.getTime() - session.lastSeenAt.getTime() > sessionIdleMs
        ? "idle"
        : undefined;
  if (reason) return { status: "ended", sessionId: id, reason };
  if (now.getTime() - session.lastSeenAt.getTime() > touchEveryMs) {
    await db.session.update({ where: { id }, data: { lastSeenAt: now } });
  }
  return { status: "valid", sessionId: id };
}

/**
 * The session a request's Cookie header names. Every value of the panel's cookie is tried (a
 * narrower-path copy planted by another page on this host comes first and must not log the user
 * out): the first valid one wins; else an ended one is reported so it can be recorded as ended.
 */
export async function findSessionFromCookieHeader(
  db: DbTransaction,
  header: string | undefined,
  port: number,
  now = new Date(),
): Promise<SessionLookup> {
  let ended: SessionLookup | undefined;
  for (const secret of cookieValues(header, sessionCookieName(port))) {
    const lookup = await findSession(db, secret, now);
    if (lookup.status === "valid") return lookup;
    if (lookup.status === "ended") ended ??= lookup;
  }
  return ended ?? { status: "unknown" };
}

/** Removes a session by id; true when this call removed it (so its end is recorded once). */
export async function endSession(db: DbTransaction, id: string): Promise<boolean> {
  const { count } = await db.session.deleteMany({ where: { id } });
  return count > 0;
}

/** Sessions past their end that nobody has touched since: the hourly sweep ends them. */
export async function listEndedSessions(db: DbTransaction, now = new Date()) {
  const sessions = await db.session.findMany({
    where: {
      OR: [{ expiresAt: { lte: now } }, { lastSeenAt: { lt: new Date(now.getTime() - sessionIdleMs) } }],
    },
    select: { id: true, expiresAt: true },
  });
  return sessions.map((session) => ({
    id: session.id,
    reason: (session.expiresAt.getTime() <= now.getTime() ? "expired" : "idle") as SessionEnd,
  }));
}

export async function listSessions(db: DbTransaction, now = new Date()) {
  const sessions = await db.session.findMany({
    where: { expiresAt: { gt: now }, lastSeenAt: { gte: new Date(now.getTime() - sessionIdleMs) } },
    orderBy: { lastSeenAt: "desc" },
  });
  return sessions.map((session) => ({
    id: session.id,
    createdAt: session.createdAt.toISOString(),
    lastSeenAt: session.lastSeenAt.toISOString(),
    expiresAt: session.expiresAt.toISOString(),
    userAgent: session.userAgent,
  }));
}
