import type { WebSocket } from "ws";
import type { JobUpdate } from "../../jobs/job-bus";
import { eventOfLine, readEventLines } from "../../jobs/job-files";
import type { PanelServices } from "../../panel/panel-services";
import { type SocketRoute, sendJson, sendLive } from "./socket-route";

/**
 * `/ws/jobs/ID?from=N`: the job's events from index N, then live as they come
 * (`{type:"events",from,events}`, each index once and in order), and `{type:"status",status}`
 * at the start and on every change. The browser and `claw jobs output -f` both use it.
 */
export const jobsSocket: SocketRoute = {
  path: /^\/ws\/jobs\/(j-[a-z2-7]{10})$/,
  cli: true,
  accept:
    ({ services, params: [id = ""], query }) =>
    (ws) =>
      serveJob(ws, services, id, query),
};

async function serveJob(ws: WebSocket, services: PanelServices, id: string, query: URLSearchParams) {
  const { db, jobs } = services;
  let sent = Math.max(0, Number(query.get("from") ?? 0) || 0);
  const sendEvents = (from: number, lines: string[]) => {
    const fresh = lines.slice(Math.max(0, sent - from));
    if (fresh.length === 0) return;
    if (!sendLive(ws, { type: "events", from: Math.max(sent, from), events: fresh.map(eventOfLine) })) return;
    sent = Math.max(sent, from) + fresh.length;
  };
  const pending: JobUpdate[] = [];
  let ready = false;
  const onUpdate = (update: JobUpdate) => {
    if (!ready) pending.push(update);
    else if (update.type === "events") sendEvents(update.from, update.lines);
    else sendJson(ws, update);
  };
  // Subscribed before reading the file (written synchronously): no line falls between the two.
  const unsubscribe = jobs.subscribe(id, onUpdate);
  ws.on("close", unsubscribe);
  const row = await db.job.findUnique({ where: { id }, select: { status: true } });
  if (!row) {
    unsubscribe();
    ws.close(4404, "No such job");
    return;
  }
  const stored = await readEventLines(jobs.paths.run(id).events);
  for (let from = sent; from < stored.length; from += 500) sendEvents(from, stored.slice(from, from + 500));
  ready = true;
  sendJson(ws, { type: "status", status: row.status });
  for (const update of pending.splice(0)) onUpdate(update);
}
