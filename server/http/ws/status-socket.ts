import { WebSocket } from "ws";
import { type StatusFeed, statusFeedOf } from "../../panel/status-feed";
import { type SocketRoute, sendJson } from "./socket-route";

/** `/ws/status`: panel and Podman status pushed every few seconds, for the home page. */
export const statusSocket: SocketRoute = {
  path: /^\/ws\/status$/,
  cli: false,
  accept:
    ({ services }) =>
    (ws) =>
      serveStatus(ws, statusFeedOf(services)),
};

/** Every open socket hears the panel's one poll; a message from the page asks for an answer now. */
function serveStatus(ws: WebSocket, feed: StatusFeed) {
  const send = (status: unknown) => {
    if (ws.readyState === WebSocket.OPEN) sendJson(ws, { type: "status", status });
  };
  const sendNow = () =>
    void feed.now().then(send, (error: Error) => console.error(`claw: status failed: ${error.message}`));
  const unsubscribe = feed.subscribe(send);
  ws.on("close", unsubscribe);
  ws.on("message", sendNow);
  sendNow();
}
