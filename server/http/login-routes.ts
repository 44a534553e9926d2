import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { panelActor } from "../auth/actor";
import { clearedCookie, cookieValues, sessionCookie } from "../auth/cookies";
import { loginUrl } from "../auth/login-codes";
import {
  createSession,
  endSession,
  sessionCookieName,
  sessionIdOf,
  sessionLifetimeMs,
} from "../auth/sessions";
import { checkStateChangingRequest, csrfHeader } from "../security/request-gate";
import { type AuthDeps, recordFailedLogin, type Transport } from "./authenticate-request";
import { headerValue, readJsonBody, sendError, sendJson } from "./respond";

const loginBody = z.object({ code: z.string().min(1).max(512) });

function refuseForeign(req: IncomingMessage, res: ServerResponse, port: number): boolean {
  const verdict = checkStateChangingRequest(
    {
      method: req.method ?? "GET",
      origin: headerValue(req.headers.origin),
      secFetchSite: headerValue(req.headers["sec-fetch-site"]),
      csrfHeader: headerValue(req.headers[csrfHeader]),
    },
    port,
  );
  if (verdict.ok) return false;
  sendError(res, verdict.status, verdict.reason, verdict.status === 405 ? { Allow: "POST" } : {});
  return true;
}

/**
 * Exchanges a one-time login code (from the login link's fragment) for a session cookie. A valid
 * code always passes, even while the rate limit is closed: otherwise any local user could lock
 * the owner out with five bad tries. Codes are 256 random bits, so the limit is not what stops
 * guessing; it keeps a guessing process from filling the audit log.
 */
export async function handleLogin(req: IncomingMessage, res: ServerResponse, deps: AuthDeps): Promise<void> {
  if (refuseForeign(req, res, deps.port)) return;
  const parsed = loginBody.safeParse(await readJsonBody(req));
  const userAgent = headerValue(req.headers["user-agent"]);
  if (!parsed.success || !deps.loginCodes.redeem(parsed.data.code.trim())) {
    const retryAfterSeconds = deps.limiter.retryAfterSeconds();
    if (retryAfterSeconds > 0) {
      sendError(res, 429, `Too many failed logins; try again in ${retryAfterSeconds} s`, {
        "Retry-After": String(retryAfterSeconds),
      });
      return;
    }
    await recordFailedLogin(deps, "panel:anonymous", {
      via: "browser",
      reason: "unknown or used login code",
    });
    sendError(
      res,
      401,
      "That login link is not valid: each one works once, for 10 minutes. Get a fresh one with `claw login-url`.",
    );
    return;
  }
  const { secret } = await deps.audit.transaction(async (tx, record) => {
    const created = await createSession(tx, { userAgent });
    await record({
      category: "access",
      action: "login_succeeded",
      actor: panelActor(created.session.id),
      outcome: "ok",
      details: { via: "browser", userAgent: userAgent?.slice(0, 200) ?? null },
    });
    return created;
  });
  sendJson(
    res,
    200,
    { ok: true },
    {
      "Set-Cookie": sessionCookie(sessionCookieName(deps.port), secret, Math.floor(sessionLifetimeMs / 1000)),
    },
  );
}

/**
 * `POST /api/login-code`, on the Unix socket only (`claw login-url`): a fresh login link. Over
 * TCP it would hand a login to anything that can reach the port.
 */
export function handleLoginCode(
  req: IncomingMessage,
  res: ServerResponse,
  deps: AuthDeps,
  transport: Transport,
): void {
  if (transport !== "socket") {
    sendError(res, 403, "Login links are minted only over CLAW_HOME/run/panel.sock: run `claw login-url`");
    return;
  }
  if (refuseForeign(req, res, deps.port)) return;
  const { code, expiresAt } = deps.loginCodes.issue();
  sendJson(res, 200, { url: loginUrl(deps.port, code), expiresAt: expiresAt.toISOString() });
}

export async function handleLogout(req: IncomingMessage, res: ServerResponse, deps: AuthDeps): Promise<void> {
  if (refuseForeign(req, res, deps.port)) return;
  const name = sessionCookieName(deps.port);
  // Every value the browser sent: a planted copy must not keep the real session alive.
  for (const secret of cookieValues(headerValue(req.headers.cookie), name)) {
    const id = sessionIdOf(secret);
    await deps.audit.transaction(async (tx, record) => {
      if (await endSession(tx, id)) {
        await record({
          category: "access",
          action: "logout",
          actor: panelActor(id),
          outcome: "ok",
          details: {},
        });
      }
    });
  }
  sendJson(res, 200, { ok: true }, { "Set-Cookie": clearedCookie(name) });
}
