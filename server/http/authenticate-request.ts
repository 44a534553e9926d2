import type { IncomingMessage } from "node:http";
import type { Actor } from "../auth/actor";
import { parseCookies } from "../auth/cookies";
import type { LoginRateLimiter } from "../auth/login-rate-limiter";
import { tokensEqual } from "../auth/panel-token";
import { findSession, sessionCookieName } from "../auth/sessions";
import type { Db } from "../db/client";
import { headerValue } from "./respond";

export type AuthDeps = { db: Db; port: number; panelToken: string; limiter: LoginRateLimiter };

export type AuthResult =
  | { ok: true; actor: Actor }
  | { ok: false; status: 401 | 429; reason: string; retryAfterSeconds?: number };

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
    deps.limiter.recordFailure();
    return { ok: false, status: 401, reason: "Wrong panel token" };
  }
  const secret = parseCookies(headerValue(req.headers.cookie)).get(sessionCookieName(deps.port));
  if (!secret) return { ok: false, status: 401, reason: "Not logged in" };
  const lookup = await findSession(deps.db, secret);
  if (lookup.status === "valid") return { ok: true, actor: { kind: "panel", sessionId: lookup.sessionId } };
  return {
    ok: false,
    status: 401,
    reason: lookup.status === "ended" ? "Session ended; log in again" : "Not logged in",
  };
}
