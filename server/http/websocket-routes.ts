import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import type { PanelServices } from "../panel/panel-services";
import { checkHost, checkWebSocketOrigin } from "../security/request-gate";
import { type AuthDeps, authenticateRequest, type Transport } from "./authenticate-request";
import { badRequestTarget, requestUrl } from "./request-url";
import { headerValue } from "./respond";
import { auditSocket } from "./ws/audit-socket";
import { jobsSocket } from "./ws/jobs-socket";
import { logsSocket } from "./ws/logs-socket";
import type { ServeSocket, SocketRoute } from "./ws/socket-route";
import { statusSocket } from "./ws/status-socket";
import { terminalSocket } from "./ws/terminal-socket";

/** Every `/ws/*` socket, one file each under `ws/`. */
export const socketRoutes: SocketRoute[] = [
  terminalSocket,
  jobsSocket,
  statusSocket,
  auditSocket,
  logsSocket,
];

export type WebSocketRoutes = {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, transport: Transport): Promise<void>;
  close(): void;
};

function refuse(socket: Duplex, status: number, reason: string) {
  const text =
    status === 400
      ? "Bad Request"
      : status === 401
        ? "Unauthorized"
        : status === 404
          ? "Not Found"
          : "Forbidden";
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`,
  );
}

/** A handler that fails closes its socket as an internal error; it never takes the panel down. */
async function serve(handler: ServeSocket, ws: WebSocket) {
  // A frame the socket refuses (over 64 KiB: 1009, bad UTF-8: 1007, a protocol error: 1002) is
  // emitted here after `ws` has already closed with that code; unheard, it would be uncaught.
  ws.on("error", () => {});
  try {
    await handler(ws);
  } catch {
    ws.close(1011, "Internal error");
  }
}

/**
 * Every upgrade over TCP passes Host, Origin (present and ours) and a session before any socket
 * handler sees it; over the panel's Unix socket (the CLI) no browser can be the caller, so the
 * socket alone authenticates. Only `/ws/*` is ours; Next ends upgrades to its own paths itself.
 */
export function createWebSocketRoutes(deps: { services: PanelServices; auth: AuthDeps }): WebSocketRoutes {
  const { services } = deps;
  const port = services.config.port;
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });

  return {
    async handleUpgrade(req, socket, head, transport) {
      // Node hands an upgrade's socket over with no error listener: a client that resets it while
      // the session is checked would otherwise be an uncaught ECONNRESET.
      socket.on("error", () => socket.destroy());
      const url = requestUrl(req);
      if (!url) return refuse(socket, 400, badRequestTarget);
      const path = url.pathname;
      if (transport === "tcp") {
        const host = checkHost(headerValue(req.headers.host), port);
        if (!host.ok) return refuse(socket, 403, host.reason);
        const origin = checkWebSocketOrigin(headerValue(req.headers.origin), port);
        if (!origin.ok) return refuse(socket, origin.status, origin.reason);
      }
      if (transport === "tcp" && services.config.dev && path.startsWith("/_next/")) return; // Next's own HMR socket, same checks passed.
      if (!path.startsWith("/ws/")) return refuse(socket, 404, "No such socket");
      const authResult = await authenticateRequest(req, deps.auth, transport);
      if (!authResult.ok) return refuse(socket, 401, "Log in first");
      const { actor } = authResult;
      for (const route of socketRoutes) {
        const match = route.path.exec(path);
        if (!match || (!route.cli && actor.kind !== "panel")) continue;
        const accepted = route.accept({ services, actor, params: match.slice(1), query: url.searchParams });
        if (typeof accepted !== "function") return refuse(socket, accepted.status, accepted.reason);
        return wss.handleUpgrade(req, socket, head, (ws) => void serve(accepted, ws));
      }
      // A CLI login learns of no socket it may not open.
      if (actor.kind !== "panel") return refuse(socket, 401, "Log in first");
      return refuse(socket, 404, "No such socket");
    },
    close() {
      for (const client of wss.clients) client.close(1001, "Panel shutting down");
      wss.close();
    },
  };
}
