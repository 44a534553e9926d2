import { WebSocket } from "ws";
import { auditFilterSchema } from "../../audit/query-audit-log";
import type { PanelServices } from "../../panel/panel-services";
import { type SocketRoute, sendJson, sendLive } from "./socket-route";

/** `/ws/audit?category=…`: events matching the filter, as they are committed. */
export const auditSocket: SocketRoute = {
  path: /^\/ws\/audit$/,
  cli: false,
  accept:
    ({ services, query }) =>
    (ws) =>
      serveAudit(ws, services, query),
};

async function serveAudit(ws: WebSocket, services: PanelServices, query: URLSearchParams) {
  const parsed = auditFilterSchema.safeParse(
    Object.fromEntries([...query].filter(([, value]) => value !== "")),
  );
  if (!parsed.success) {
    ws.close(1008, "Invalid filter");
    return;
  }
  const unsubscribe = await services.auditTail.subscribe(parsed.data, (events) => {
    sendLive(ws, { type: "events", events });
  });
  ws.on("close", unsubscribe);
  if (ws.readyState !== WebSocket.OPEN) unsubscribe();
  else sendJson(ws, { type: "ready" });
}
