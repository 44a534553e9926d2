import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { clearedCookie, parseCookies, sessionCookie } from "../auth/cookies";
import { tokensEqual } from "../auth/panel-token";
import { createSession, deleteSession, sessionCookieName, sessionLifetimeMs } from "../auth/sessions";
import { checkStateChangingRequest, csrfHeader } from "../security/request-gate";
import type { AuthDeps } from "./authenticate-request";
import { headerValue, readJsonBody, sendError, sendJson } from "./respond";

const loginBody = z.object({ token: z.string().min(1).max(512) });

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

/** Exchanges the panel token (from the login URL's fragment) for a session cookie. */
export async function handleLogin(req: IncomingMessage, res: ServerResponse, deps: AuthDeps): Promise<void> {
  if (refuseForeign(req, res, deps.port)) return;
  const retryAfterSeconds = deps.limiter.retryAfterSeconds();
  if (retryAfterSeconds > 0) {
    sendError(res, 429, `Too many failed logins; try again in ${retryAfterSeconds} s`, {
      "Retry-After": String(retryAfterSeconds),
    });
    return;
  }
  const parsed = loginBody.safeParse(await readJsonBody(req));
  if (!parsed.success || !tokensEqual(parsed.data.token.trim(), deps.panelToken)) {
    deps.limiter.recordFailure();
    sendError(
      res,
      401,
      "That token is not the panel's token. Use the login URL npm start printed, or the token in CLAW_HOME/panel-token.",
    );
    return;
  }
  const { secret } = await createSession(deps.db, { userAgent: headerValue(req.headers["user-agent"]) });
  sendJson(
    res,
    200,
    { ok: true },
    {
      "Set-Cookie": sessionCookie(sessionCookieName(deps.port), secret, Math.floor(sessionLifetimeMs / 1000)),
    },
  );
}

export async function handleLogout(req: IncomingMessage, res: ServerResponse, deps: AuthDeps): Promise<void> {
  if (refuseForeign(req, res, deps.port)) return;
  const name = sessionCookieName(deps.port);
  const secret = parseCookies(headerValue(req.headers.cookie)).get(name);
  if (secret) await deleteSession(deps.db, secret);
  sendJson(res, 200, { ok: true }, { "Set-Cookie": clearedCookie(name) });
}
