import type { WebSocket } from "ws";
import { isAppError } from "../../errors";
import type { PanelServices } from "../../panel/panel-services";
import { type SocketRoute, sendJson, sendLive } from "./socket-route";

/**
 * `/ws/agents/NAME/logs?tail=N`: the container's output, `{type:"lines",lines}` as it comes,
 * `{type:"end"}` when the container stops. A client that falls behind is closed, not buffered.
 */
export const logsSocket: SocketRoute = {
  path: /^\/ws\/agents\/([a-z][a-z0-9-]{0,39})\/logs$/,
  cli: false,
  accept:
    ({ services, params: [name = ""], query }) =>
    (ws) =>
      serveAgentLogs(ws, services, name, query),
};

async function serveAgentLogs(ws: WebSocket, services: PanelServices, name: string, query: URLSearchParams) {
  const tail = Math.min(Math.max(Number(query.get("tail") ?? 500) || 500, 1), 10_000);
  const abort = new AbortController();
  ws.on("close", () => abort.abort());
  try {
    await services.agents.followLogs(name, {
      tail,
      signal: abort.signal,
      onLines: (lines: string[]) => void sendLive(ws, { type: "lines", lines }),
      onEnd: () => sendJson(ws, { type: "end" }),
    });
  } catch (error) {
    sendJson(ws, { type: "error", message: isAppError(error) ? error.message : "Could not read the logs" });
    ws.close(1011, "No logs");
  }
}
