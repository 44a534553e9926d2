import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { nodeHTTPRequestHandler } from "@trpc/server/adapters/node-http";
import type { LoginCodes } from "../auth/login-codes";
import type { LoginRateLimiter } from "../auth/login-rate-limiter";
import { appErrorOf, httpStatusOf, isAppError } from "../errors";
import type { PanelServices } from "../panel/panel-services";
import { appRouter } from "../routers/root";
import {
  checkApiRead,
  checkDownload,
  checkHost,
  checkStateChangingRequest,
  csrfHeader,
} from "../security/request-gate";
import { contentSecurityPolicy, createNonce, staticSecurityHeaders } from "../security/security-headers";
import { handleAuditExport } from "./audit-export-route";
import { type AuthDeps, authenticateRequest, type Transport } from "./authenticate-request";
import { handleLogin, handleLoginCode, handleLogout } from "./login-routes";
import { badPercentEncoding, badRequestTarget, decodePercent, requestUrl } from "./request-url";
import { headerValue, sendError, sendJson } from "./respond";
import { createWebSocketRoutes, type WebSocketRoutes } from "./websocket-routes";

export type NextHandlers = {
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
};

export type PanelHandlerDeps = {
  services: PanelServices;
  loginCodes: LoginCodes;
  limiter: LoginRateLimiter;
  next: NextHandlers;
};

const trpcPrefix = "/api/trpc/";

/** Paths a browser needs before it has a session: the login page and the static build output it loads. */
function isPublicPage(path: string): boolean {
  return (
    path === "/login" || path.startsWith("/_next/static/") || path === "/favicon.ico" || path === "/icon.svg"
  );
}

export function createPanelHandler(deps: PanelHandlerDeps) {
  const { services } = deps;
  const port = services.config.port;
  const auth: AuthDeps = {
    db: services.db,
    audit: services.audit,
    port,
    limiter: deps.limiter,
    loginCodes: deps.loginCodes,
  };
  const webSockets: WebSocketRoutes = createWebSocketRoutes({ services, auth });

  async function handleTrpc(req: IncomingMessage, res: ServerResponse, path: string, transport: Transport) {
    const browser = {
      origin: headerValue(req.headers.origin),
      secFetchSite: headerValue(req.headers["sec-fetch-site"]),
      csrfHeader: headerValue(req.headers[csrfHeader]),
    };
    const method = req.method ?? "GET";
    // tRPC refuses a mutation over GET by itself; the gate makes it explicit and adds the CSRF rules.
    const verdict =
      method === "GET"
        ? checkApiRead(browser, port)
        : checkStateChangingRequest({ ...browser, method }, port);
    if (!verdict.ok) return sendError(res, verdict.status, verdict.reason);
    const authResult = await authenticateRequest(req, auth, transport);
    if (!authResult.ok) {
      const headers: Record<string, string> = authResult.retryAfterSeconds
        ? { "Retry-After": String(authResult.retryAfterSeconds) }
        : {};
      return sendError(res, authResult.status, authResult.reason, headers);
    }
    res.setHeader("Cache-Control", "no-store");
    await nodeHTTPRequestHandler({
      router: appRouter,
      req,
      res,
      path,
      maxBodySize: 1_000_000,
      createContext: () => ({ ...services, actor: authResult.actor }),
      onError: ({ error, path: procedure }) => {
        if (error.code === "INTERNAL_SERVER_ERROR" && !isAppError(error.cause)) {
          console.error(`[trpc] ${procedure ?? "?"} failed:`, error.cause ?? error);
        }
      },
    });
  }

  async function handleDownload(req: IncomingMessage, res: ServerResponse, transport: Transport) {
    if (req.method !== "GET") return sendError(res, 405, "Use GET", { Allow: "GET" });
    const verdict = checkDownload(
      { origin: headerValue(req.headers.origin), secFetchSite: headerValue(req.headers["sec-fetch-site"]) },
      port,
    );
    if (!verdict.ok) return sendError(res, verdict.status, verdict.reason);
    const authResult = await authenticateRequest(req, auth, transport);
    if (!authResult.ok) return sendError(res, authResult.status, authResult.reason);
    await handleAuditExport(req, res, services, authResult.actor);
  }

  async function handlePage(req: IncomingMessage, res: ServerResponse, path: string, transport: Transport) {
    // Pages only render: claw uses no server actions, so nothing reaches Next except reads
    // (Next's development overlay posts to its own endpoints, so `npm run dev` lets those through).
    if (req.method !== "GET" && req.method !== "HEAD" && !services.config.dev) {
      return sendError(res, 405, "Pages only answer GET", { Allow: "GET, HEAD" });
    }
    if (!isPublicPage(path)) {
      const authResult = await authenticateRequest(req, auth, transport);
      if (!authResult.ok) {
        res.writeHead(303, { Location: "/login", "Cache-Control": "no-store" });
        res.end();
        return;
      }
    }
    // Next reads the nonce from the request's CSP header and stamps it on every script it emits.
    const nonce = createNonce();
    const csp = contentSecurityPolicy(nonce, { dev: services.config.dev });
    req.headers["content-security-policy"] = csp;
    req.headers["x-claw-nonce"] = nonce; // for the root layout's own inline script
    res.setHeader("Content-Security-Policy", csp);
    await deps.next.handle(req, res);
  }

  async function route(req: IncomingMessage, res: ServerResponse, transport: Transport) {
    // DNS rebinding needs a browser on TCP; no browser can reach the Unix socket.
    const host =
      transport === "socket" ? { ok: true as const } : checkHost(headerValue(req.headers.host), port);
    if (!host.ok) {
      res.writeHead(host.status, { "Content-Type": "text/plain; charset=utf-8", Connection: "close" });
      res.end(host.reason);
      return;
    }
    for (const [name, value] of Object.entries(staticSecurityHeaders)) res.setHeader(name, value);
    const url = requestUrl(req);
    if (!url) return sendError(res, 400, badRequestTarget);
    const path = url.pathname;
    // No route takes a path that cannot be decoded (Next answered `/agents/%` with a 500).
    const decoded = decodePercent(path);
    if (decoded === undefined) return sendError(res, 400, badPercentEncoding);

    if (path === "/api/health") {
      if (req.method !== "GET" && req.method !== "HEAD")
        return sendError(res, 405, "Use GET", { Allow: "GET" });
      return sendJson(res, 200, { ok: true });
    }
    if (path === "/api/login") return handleLogin(req, res, auth);
    if (path === "/api/login-code") return handleLoginCode(req, res, auth, transport);
    if (path === "/api/logout") return handleLogout(req, res, auth);
    if (path === "/api/audit/export") return handleDownload(req, res, transport);
    if (path.startsWith(trpcPrefix)) return handleTrpc(req, res, decoded.slice(trpcPrefix.length), transport);
    if (path.startsWith("/api/") || path === "/api") return sendError(res, 404, "No such endpoint");
    return handlePage(req, res, path, transport);
  }

  async function handle(req: IncomingMessage, res: ServerResponse, transport: Transport) {
    try {
      await route(req, res, transport);
    } catch (error) {
      const app = appErrorOf(error, services.paths.home);
      if (!app) console.error("[http] request failed:", error);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      sendError(res, app ? httpStatusOf[app.code] : 500, app ? app.message : "Internal error");
    }
  }

  const upgrade = (transport: Transport) => (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    webSockets.handleUpgrade(req, socket, head, transport).catch((error: unknown) => {
      console.error("[ws] upgrade failed:", error);
      socket.destroy();
    });
  };

  return {
    /** The loopback TCP port: browsers. */
    handleRequest: (req: IncomingMessage, res: ServerResponse) => handle(req, res, "tcp"),
    handleUpgrade: upgrade("tcp"),
    /** CLAW_HOME/run/panel.sock: the CLI, authenticated by being able to connect at all. */
    handleSocketRequest: (req: IncomingMessage, res: ServerResponse) => handle(req, res, "socket"),
    handleSocketUpgrade: upgrade("socket"),
    close: () => webSockets.close(),
  };
}
