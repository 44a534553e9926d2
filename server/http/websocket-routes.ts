import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer } from "ws";
import { followAgentLogs } from "../agents/agent-logs";
import { lifecycleDepsOf } from "../agents/agent-runtime";
import { auditFilterSchema } from "../audit/query-audit-log";
import { isAppError } from "../errors";
import { getPanelStatus } from "../panel/get-panel-status";
import type { PanelServices } from "../panel/panel-services";
import { checkHost, checkWebSocketOrigin } from "../security/request-gate";
import { type AuthDeps, authenticateRequest } from "./authenticate-request";
import { headerValue } from "./respond";

const statusIntervalMs = 5_000;
/** A live view that cannot keep up is closed rather than buffered without end. */
const maxBufferedBytes = 8 * 1024 * 1024;

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

  /** `/ws/audit?category=…`: events matching the filter, as they are committed. */
  async function serveAudit(ws: WebSocket, query: URLSearchParams) {
    const parsed = auditFilterSchema.safeParse(
      Object.fromEntries([...query].filter(([, value]) => value !== "")),
    );
    if (!parsed.success) {
      ws.close(1008, "Invalid filter");
      return;
    }
    const unsubscribe = await deps.services.auditTail.subscribe(parsed.data, (events) => {
      if (ws.bufferedAmount > maxBufferedBytes) {
        ws.close(1013, "Too slow; reload to catch up");
        return;
      }
      ws.send(JSON.stringify({ type: "events", events }));
    });
    ws.on("close", unsubscribe);
    if (ws.readyState !== WebSocket.OPEN) unsubscribe();
    else ws.send(JSON.stringify({ type: "ready" }));
  }

  /**
   * `/ws/agents/NAME/logs?tail=N`: the container's output, `{type:"lines",lines}` as it comes,
   * `{type:"end"}` when the container stops. A client that falls behind is closed, not buffered.
   */
  async function serveAgentLogs(ws: WebSocket, name: string, query: URLSearchParams) {
    const tail = Math.min(Math.max(Number(query.get("tail") ?? 500) || 500, 1), 10_000);
    const abort = new AbortController();
    ws.on("close", () => abort.abort());
    try {
      await followAgentLogs(lifecycleDepsOf(deps.services), name, {
        tail,
        signal: abort.signal,
        onLines(lines) {
          if (ws.readyState !== WebSocket.OPEN) return;
          if (ws.bufferedAmount > maxBufferedBytes) return ws.close(1013, "Too slow; reload to catch up");
          ws.send(JSON.stringify({ type: "lines", lines }));
        },
        onEnd() {
          if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: "end" }));
        },
      });
    } catch (error) {
      const message = isAppError(error) ? error.message : "Could not read the logs";
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: "error", message }));
      ws.close(1011, "No logs");
    }
  }

  return {
    async handleUpgrade(req, socket, head) {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const path = url.pathname;
      const host = checkHost(headerValue(req.headers.host), port);
      if (!host.ok) return refuse(socket, 403, host.reason);
      const origin = checkWebSocketOrigin(headerValue(req.headers.origin), port);
      if (!origin.ok) return refuse(socket, origin.status, origin.reason);
      if (deps.services.config.dev && path.startsWith("/_next/")) return; // Next's own HMR socket, same checks passed.
      if (!path.startsWith("/ws/")) return refuse(socket, 404, "No such socket");
      const authResult = await authenticateRequest(req, deps.auth);
      if (!authResult.ok || authResult.actor.kind !== "panel") return refuse(socket, 401, "Log in first");
      if (path === "/ws/status") return wss.handleUpgrade(req, socket, head, (ws) => serveStatus(ws));
      if (path === "/ws/audit") {
        return wss.handleUpgrade(req, socket, head, (ws) => {
          serveAudit(ws, url.searchParams).catch(() => ws.close(1011, "Internal error"));
        });
      }
      const logs = /^\/ws\/agents\/([a-z][a-z0-9-]{0,39})\/logs$/.exec(path);
      if (logs?.[1]) {
        const name = logs[1];
        return wss.handleUpgrade(req, socket, head, (ws) => void serveAgentLogs(ws, name, url.searchParams));
      }
      return refuse(socket, 404, "No such socket");
    },
    close() {
      for (const client of wss.clients) client.close(1001, "Panel shutting down");
      wss.close();
    },
  };
}
