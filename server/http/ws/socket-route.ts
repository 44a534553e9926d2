import { WebSocket } from "ws";
import type { Actor } from "../../auth/actor";
import type { PanelServices } from "../../panel/panel-services";

/** An upgrade that passed Host, Origin and the session, on its way to one route. */
export type SocketRequest = {
  services: PanelServices;
  actor: Actor;
  /** What the route's path captured, in order (a job's id, an agent's name). */
  params: string[];
  query: URLSearchParams;
};

/** Serves an accepted socket; a rejection closes it as an internal error. */
export type ServeSocket = (ws: WebSocket) => void | Promise<void>;

/** An HTTP answer instead of the upgrade. */
export type Refusal = { status: 401 | 403 | 404; reason: string };

/** One `/ws/*` socket: listed in `socketRoutes`, tried in order. */
export type SocketRoute = {
  path: RegExp;
  /** Whether the CLI (over the panel's Unix socket) may open it too, or only a browser's login. */
  cli: boolean;
  /** Checks made before the upgrade, then the socket's handler. */
  accept(request: SocketRequest): ServeSocket | Refusal;
};

/** A live view that cannot keep up is closed rather than buffered without end. */
export const maxBufferedBytes = 8 * 1024 * 1024;

export function sendJson(ws: WebSocket, message: object) {
  if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
}

/** Sends to a live view, or closes one that fell behind; whether the message went. */
export function sendLive(ws: WebSocket, message: object): boolean {
  if (ws.readyState !== WebSocket.OPEN) return false;
  if (ws.bufferedAmount > maxBufferedBytes) {
    ws.close(1013, "Too slow; reload to catch up");
    return false;
  }
  ws.send(JSON.stringify(message));
  return true;
}
