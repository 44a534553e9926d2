import { WebSocket } from "ws";
import { isAppError } from "../../errors";
import type { PanelServices } from "../../panel/panel-services";
import { type SocketRoute, sendJson } from "./socket-route";

/**
 * `/ws/agents/NAME/logs?tail=N`: the container's output, `{type:"lines",lines}` as it comes (each
 * line cut at 64 KiB, with a marker, by the log reader), `{type:"skipped",lines:N}` where a view that
 * fell behind missed N lines, `{type:"end"}` when the container stops.
 */
export const logsSocket: SocketRoute = {
  path: /^\/ws\/agents\/([a-z][a-z0-9-]{0,39})\/logs$/,
  cli: false,
  accept:
    ({ services, params: [name = ""], query }) =>
    (ws) =>
      serveAgentLogs(ws, services, name, query),
};

/** Queued for a view past this, new lines are skipped (and counted) rather than buffered… */
const highWaterBytes = 1024 * 1024;
/** …until the queue is down to this. */
const lowWaterBytes = 256 * 1024;
/** The most characters of lines in one message: a burst goes out in pieces a browser can take. */
const maxMessageChars = 256 * 1024;

/** Lines in messages of at most about `maxMessageChars` (a line is never split). */
export function batchLines(lines: string[], maxChars = maxMessageChars): string[][] {
  const batches: string[][] = [];
  let batch: string[] = [];
  let chars = 0;
  for (const line of lines) {
    if (batch.length > 0 && chars + line.length > maxChars) {
      batches.push(batch);
      batch = [];
      chars = 0;
    }
    batch.push(line);
    chars += line.length;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/**
 * Sends lines to a live view with backpressure: while the socket's queue is high, lines are dropped
 * and counted, and the view is told how many once it has caught up (a timer looks, in case no more
 * lines come). The panel's memory for a view stays about `highWaterBytes`, whatever the container prints.
 */
function liveLineSender(ws: WebSocket) {
  let skipped = 0;
  let timer: NodeJS.Timeout | undefined;
  const tellSkipped = () => {
    clearInterval(timer);
    timer = undefined;
    if (skipped > 0) sendJson(ws, { type: "skipped", lines: skipped });
    skipped = 0;
  };
  const caughtUp = () => skipped === 0 || ws.bufferedAmount <= lowWaterBytes;
  return {
    send(lines: string[]) {
      for (const batch of batchLines(lines)) {
        if (ws.readyState !== WebSocket.OPEN) return;
        if (skipped > 0 && caughtUp()) tellSkipped();
        if (skipped > 0 || ws.bufferedAmount > highWaterBytes) {
          skipped += batch.length;
          timer ??= setInterval(() => {
            if (caughtUp()) tellSkipped();
          }, 250).unref();
          continue;
        }
        sendJson(ws, { type: "lines", lines: batch });
      }
    },
    end() {
      tellSkipped();
      sendJson(ws, { type: "end" });
    },
    close() {
      clearInterval(timer);
    },
  };
}

async function serveAgentLogs(ws: WebSocket, services: PanelServices, name: string, query: URLSearchParams) {
  const tail = Math.min(Math.max(Number(query.get("tail") ?? 500) || 500, 1), 10_000);
  const abort = new AbortController();
  const sender = liveLineSender(ws);
  ws.on("close", () => {
    sender.close();
    abort.abort();
  });
  try {
    await services.agents.followLogs(name, {
      tail,
      signal: abort.signal,
      onLines: (lines: string[]) => sender.send(lines),
      onEnd: () => sender.end(),
    });
  } catch (error) {
    sendJson(ws, { type: "error", message: isAppError(error) ? error.message : "Could not read the logs" });
    ws.close(1011, "No logs");
  }
}
