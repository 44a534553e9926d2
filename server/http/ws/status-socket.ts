import { WebSocket } from "ws";
import { getPanelStatus } from "../../panel/get-panel-status";
import type { PanelServices } from "../../panel/panel-services";
import { type SocketRoute, sendJson } from "./socket-route";

const statusIntervalMs = 5_000;

/** `/ws/status`: panel and Podman status pushed every few seconds, for the home page. */
export const statusSocket: SocketRoute = {
  path: /^\/ws\/status$/,
  cli: false,
  accept:
    ({ services }) =>
    (ws) =>
      serveStatus(ws, services),
};

function serveStatus(ws: WebSocket, services: PanelServices) {
  let sending = false;
  const push = async () => {
    if (sending || ws.readyState !== WebSocket.OPEN) return;
    sending = true;
    try {
      sendJson(ws, { type: "status", status: await getPanelStatus(services) });
    } finally {
      sending = false;
    }
  };
  const timer = setInterval(push, statusIntervalMs);
  ws.on("close", () => clearInterval(timer));
  ws.on("message", () => void push());
  void push();
}
