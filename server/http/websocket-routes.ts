import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer } from "ws";
import { getPanelStatus } from "../panel/get-panel-status";
import type { PanelServices } from "../panel/panel-services";
import { checkHost, checkWebSocketOrigin } from "../security/request-gate";
import { type AuthDeps, authenticateRequest } from "./authenticate-request";
import { headerValue } from "./respond";

const statusIntervalMs = 5_000;

export type WebSocketRoutes = {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void>;
  close(): void;
};

function refuse(socket: Duplex, status: number, reason: string) {
  const text = status === 401 ? "Unauthorized" : status === 404 ? "Not Found" : "Forbidden";
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`,
  );
}

/**
 * Every upgrade passes Host, Origin (present and ours) and a session before any socket handler
 * sees it. Only `/ws/*` is ours; Next ends upgrades to its own paths itself.
 */
export function createWebSocketRoutes(deps: { services: PanelServices; auth: AuthDeps }): WebSocketRoutes {
  const port = deps.services.config.port;
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });

  /** `/ws/status`: panel and Podman status pushed every few seconds, for the home page. */
  function serveStatus(ws: WebSocket) {
    let sending = false;
    const push = async () => {
      if (sending || ws.readyState !== WebSocket.OPEN) return;
      sending = true;
      try {
        ws.send(JSON.stringify({ type: "status", status: await getPanelStatus(deps.services) }));
      } finally {
        sending = false;
      }
    };
    const timer = setInterval(push, statusIntervalMs);
    ws.on("close", () => clearInterval(timer));
    ws.on("message", () => void push());
    void push();
  }

  return {
    async handleUpgrade(req, socket, head) {
      const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
      const host = checkHost(headerValue(req.headers.host), port);
      if (!host.ok) return refuse(socket, 403, host.reason);
      const origin = checkWebSocketOrigin(headerValue(req.headers.origin), port);
      if (!origin.ok) return refuse(socket, origin.status, origin.reason);
      if (deps.services.config.dev && path.startsWith("/_next/")) return; // Next's own HMR socket, same checks passed.
      if (!path.startsWith("/ws/")) return refuse(socket, 404, "No such socket");
      const authResult = await authenticateRequest(req, deps.auth);
      if (!authResult.ok || authResult.actor.kind !== "panel") return refuse(socket, 401, "Log in first");
      if (path !== "/ws/status") return refuse(socket, 404, "No such socket");
      wss.handleUpgrade(req, socket, head, (ws) => serveStatus(ws));
    },
    close() {
      for (const client of wss.clients) client.close(1001, "Panel shutting down");
      wss.close();
    },
  };
}
