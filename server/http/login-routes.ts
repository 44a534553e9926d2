import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { panelActor } from "../auth/actor";
import { clearedCookie, parseCookies, sessionCookie } from "../auth/cookies";
import { tokensEqual } from "../auth/panel-token";
import {
  createSession,
  endSession,
  sessionCookieName,
  sessionIdOf,
  sessionLifetimeMs,
} from "../auth/sessions";
import { checkStateChangingRequest, csrfHeader } from "../security/request-gate";
import { type AuthDeps, recordFailedLogin } from "./authenticate-request";
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
  const userAgent = headerValue(req.headers["user-agent"]);
  if (!parsed.success || !tokensEqual(parsed.data.token.trim(), deps.panelToken)) {
    await recordFailedLogin(deps, "panel:anonymous", { via: "browser", reason: "wrong panel token" });
    sendError(
      res,
      401,
      "That token is not the panel's token. Use the login URL npm start printed, or the token in CLAW_HOME/panel-token.",
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

export async function handleLogout(req: IncomingMessage, res: ServerResponse, deps: AuthDeps): Promise<void> {
  if (refuseForeign(req, res, deps.port)) return;
  const name = sessionCookieName(deps.port);
  const secret = parseCookies(headerValue(req.headers.cookie)).get(name);
  if (secret) {
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
