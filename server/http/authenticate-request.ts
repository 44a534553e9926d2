import type { IncomingMessage } from "node:http";
import type { AuditLog } from "../audit/audit-log";
import type { Actor } from "../auth/actor";
import { parseCookies } from "../auth/cookies";
import { expireSession } from "../auth/end-session";
import type { LoginRateLimiter } from "../auth/login-rate-limiter";
import { tokensEqual } from "../auth/panel-token";
import { findSession, sessionCookieName } from "../auth/sessions";
import type { Db } from "../db/client";
import { headerValue } from "./respond";

export type AuthDeps = {
  db: Db;
  audit: AuditLog;
  port: number;
  panelToken: string;
  limiter: LoginRateLimiter;
};

export type AuthResult =
  | { ok: true; actor: Actor }
  | { ok: false; status: 401 | 429; reason: string; retryAfterSeconds?: number };

/** A failed login or token: recorded, and the one that trips the rate limit says so. */
export async function recordFailedLogin(
  deps: AuthDeps,
  actor: "cli" | "panel:anonymous",
  details: Record<string, string>,
) {
  const tripped = deps.limiter.recordFailure();
  await deps.audit.record({ category: "access", action: "login_failed", actor, outcome: "denied", details });
  if (tripped) {
    await deps.audit.record({
      category: "access",
      action: "login_rate_limited",
      actor: "system",
      outcome: "denied",
      details: { retryAfterSeconds: deps.limiter.retryAfterSeconds() },
    });
  }
}

/**
 * A browser proves itself with the session cookie; the CLI with the panel token as a Bearer token.
 * Wrong Bearer tokens count against the same budget as failed logins.
 */
export async function authenticateRequest(req: IncomingMessage, deps: AuthDeps): Promise<AuthResult> {
  const authorization = headerValue(req.headers.authorization);
  if (authorization !== undefined) {
    const retryAfterSeconds = deps.limiter.retryAfterSeconds();
    if (retryAfterSeconds > 0) {
      return { ok: false, status: 429, reason: "Too many failed attempts", retryAfterSeconds };
    }
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (match?.[1] && tokensEqual(match[1], deps.panelToken)) return { ok: true, actor: { kind: "cli" } };
    await recordFailedLogin(deps, "cli", { via: "cli", reason: "wrong panel token" });
    return { ok: false, status: 401, reason: "Wrong panel token" };
  }
  const secret = parseCookies(headerValue(req.headers.cookie)).get(sessionCookieName(deps.port));
  if (!secret) return { ok: false, status: 401, reason: "Not logged in" };
  const lookup = await findSession(deps.db, secret);
  if (lookup.status === "valid") return { ok: true, actor: { kind: "panel", sessionId: lookup.sessionId } };
  if (lookup.status === "ended") {
    await expireSession(deps.audit, lookup.sessionId, lookup.reason);
    return { ok: false, status: 401, reason: "Session ended; log in again" };
  }
  return { ok: false, status: 401, reason: "Not logged in" };
}
