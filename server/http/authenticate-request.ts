import type { IncomingMessage } from "node:http";
import type { AuditLog } from "../audit/audit-log";
import type { Actor } from "../auth/actor";
import { expireSession } from "../auth/end-session";
import type { LoginCodes } from "../auth/login-codes";
import type { LoginRateLimiter } from "../auth/login-rate-limiter";
import { findSessionFromCookieHeader } from "../auth/sessions";
import type { Db } from "../db/client";
import { headerValue } from "./respond";

export type AuthDeps = {
  db: Db;
  audit: AuditLog;
  port: number;
  limiter: LoginRateLimiter;
  loginCodes: LoginCodes;
};

/**
 * Where a request came in: the loopback TCP port (browsers, and anything else on the host), or
 * the panel's Unix socket in CLAW_HOME/run (0700): only the panel's own user can connect to it.
 */
export type Transport = "tcp" | "socket";

export type AuthResult =
  | { ok: true; actor: Actor }
  | { ok: false; status: 401 | 429; reason: string; retryAfterSeconds?: number };

/** A failed login: recorded, and the one that trips the rate limit says so. */
export async function recordFailedLogin(
  deps: AuthDeps,
  actor: "panel:anonymous",
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
 * The socket itself is the CLI's credential: nothing secret crosses the wire, so nothing can be
 * collected by whoever binds the TCP port while the panel is down. Over TCP only a browser session
 * counts; a Bearer token (what the CLI sent before) is refused with the way to the socket.
 */
export async function authenticateRequest(
  req: IncomingMessage,
  deps: AuthDeps,
  transport: Transport,
): Promise<AuthResult> {
  if (transport === "socket") return { ok: true, actor: { kind: "cli" } };
  if (headerValue(req.headers.authorization) !== undefined) {
    return {
      ok: false,
      status: 401,
      reason: "The panel takes no token over TCP; the claw CLI talks to it over CLAW_HOME/run/panel.sock",
    };
  }
  const lookup = await findSessionFromCookieHeader(deps.db, headerValue(req.headers.cookie), deps.port);
  if (lookup.status === "valid") return { ok: true, actor: { kind: "panel", sessionId: lookup.sessionId } };
  if (lookup.status === "ended") {
    await expireSession(deps.audit, lookup.sessionId, lookup.reason);
    return { ok: false, status: 401, reason: "Session ended; log in again" };
  }
  return { ok: false, status: 401, reason: "Not logged in" };
}
