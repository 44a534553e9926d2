import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer } from "ws";
import { z } from "zod";
import { runningContainerId } from "../agents/agent-lifecycle";
import { followAgentLogs } from "../agents/agent-logs";
import { lifecycleDepsOf } from "../agents/agent-runtime";
import { auditFilterSchema } from "../audit/query-audit-log";
import { actorLabel } from "../auth/actor";
import { isAppError } from "../errors";
import { eventOfLine, readEventLines } from "../jobs/job-files";
import type { JobUpdate } from "../jobs/job-runner";
import { getPanelStatus } from "../panel/get-panel-status";
import type { PanelServices } from "../panel/panel-services";
import { checkHost, checkWebSocketOrigin } from "../security/request-gate";
import type { TerminalClient, TerminalSession } from "../terminal/terminal-sessions";
import type { TicketClaim } from "../terminal/terminal-tickets";
import { type AuthDeps, authenticateRequest, type Transport } from "./authenticate-request";
import { headerValue } from "./respond";

const statusIntervalMs = 5_000;

const terminalMessage = z.discriminatedUnion("type", [
  z.object({ type: z.literal("input"), data: z.string().max(1024 * 1024) }),
  z.object({
    type: z.literal("resize"),
    cols: z.number().int().min(2).max(1000),
    rows: z.number().int().min(2).max(500),
  }),
  z.object({
    type: z.literal("ack"),
    bytes: z
      .number()
      .int()
      .min(0)
      .max(1 << 30),
  }),
  z.object({ type: z.literal("close") }),
]);
/** A live view that cannot keep up is closed rather than buffered without end. */
const maxBufferedBytes = 8 * 1024 * 1024;

export type WebSocketRoutes = {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, transport: Transport): Promise<void>;
  close(): void;
};

function refuse(socket: Duplex, status: number, reason: string) {
  const text = status === 401 ? "Unauthorized" : status === 404 ? "Not Found" : "Forbidden";
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`,
  );
}

/**
 * Every upgrade over TCP passes Host, Origin (present and ours) and a session before any socket
 * handler sees it; over the panel's Unix socket (the CLI) no browser can be the caller, so the
 * socket alone authenticates. Only `/ws/*` is ours; Next ends upgrades to its own paths itself.
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
   * `/ws/jobs/ID?from=N`: the job's events from index N, then live as they come
   * (`{type:"events",from,events}`, each index once and in order), and `{type:"status",status}`
   * at the start and on every change. The browser and `claw jobs output -f` both use it.
   */
  async function serveJob(ws: WebSocket, id: string, query: URLSearchParams) {
    const { db, jobs } = deps.services;
    let sent = Math.max(0, Number(query.get("from") ?? 0) || 0);
    const sendEvents = (from: number, lines: string[]) => {
      const fresh = lines.slice(Math.max(0, sent - from));
      if (fresh.length === 0 || ws.readyState !== WebSocket.OPEN) return;
      if (ws.bufferedAmount > maxBufferedBytes) return ws.close(1013, "Too slow; reload to catch up");
      ws.send(JSON.stringify({ type: "events", from: Math.max(sent, from), events: fresh.map(eventOfLine) }));
      sent = Math.max(sent, from) + fresh.length;
    };
    const pending: JobUpdate[] = [];
    let ready = false;
    const onUpdate = (update: JobUpdate) => {
      if (!ready) pending.push(update);
      else if (update.type === "events") sendEvents(update.from, update.lines);
      else if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(update));
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
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: "status", status: row.status }));
    for (const update of pending.splice(0)) onUpdate(update);
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

  /**
   * `/ws/terminal?ticket=…`: binary frames carry terminal output (server → client) and input
   * (client → server); text frames carry JSON: `input`, `resize`, `ack` from the client, `ready`
   * and `exit` from the server. The client acks output once written, which paces the exec.
   */
  async function serveTerminal(ws: WebSocket, claim: TicketClaim) {
    const client: TerminalClient = {
      output: (data) => {
        if (ws.readyState === WebSocket.OPEN) ws.send(data, { binary: true });
      },
      control: (message) => {
        if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
      },
      close: (why = "ended") =>
        why === "replaced" ? ws.close(4001, "Opened in another window") : ws.close(1000, "Terminal ended"),
    };
    // Frames that arrive while the exec is being created wait for it, in order.
    let session: TerminalSession | undefined;
    const early: [WebSocket.RawData, boolean][] = [];
    let closed = false;
    const handle = (live: TerminalSession, data: WebSocket.RawData, isBinary: boolean) => {
      if (isBinary) return live.input(data as Buffer);
      let json: unknown;
      try {
        json = JSON.parse(String(data));
      } catch {
        return; // not ours to crash on: a bad frame is dropped
      }
      const parsed = terminalMessage.safeParse(json);
      if (!parsed.success) return;
      const message = parsed.data;
      if (message.type === "input") live.input(message.data);
      else if (message.type === "resize") live.resize(message.cols, message.rows);
      else if (message.type === "ack") live.ack(message.bytes);
      else live.close("closed by the user");
    };
    ws.on("message", (data, isBinary) => {
      if (session) handle(session, data, isBinary);
      else if (early.length < 256) early.push([data, isBinary]);
    });
    ws.on("close", () => {
      closed = true;
      session?.detach(client);
    });
    try {
      session = claim.terminalId
        ? deps.services.terminals.manager.attach(claim.terminalId, claim.owner, client)
        : await deps.services.terminals.manager.open({
            ...claim,
            containerId: await runningContainerId(lifecycleDepsOf(deps.services), claim.agent),
            client,
          });
    } catch (error) {
      client.control({
        type: "exit",
        code: null,
        reason: isAppError(error) ? error.message : "The terminal could not be opened",
      });
    }
    if (!session) {
      if (claim.terminalId) client.control({ type: "exit", code: null, reason: "That terminal has ended." });
      return ws.close(1011, "No terminal");
    }
    if (closed) return session.detach(client);
    for (const [data, isBinary] of early.splice(0)) handle(session, data, isBinary);
  }

  return {
    async handleUpgrade(req, socket, head, transport) {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const path = url.pathname;
      if (transport === "tcp") {
        const host = checkHost(headerValue(req.headers.host), port);
        if (!host.ok) return refuse(socket, 403, host.reason);
        const origin = checkWebSocketOrigin(headerValue(req.headers.origin), port);
        if (!origin.ok) return refuse(socket, origin.status, origin.reason);
      }
      if (transport === "tcp" && deps.services.config.dev && path.startsWith("/_next/")) return; // Next's own HMR socket, same checks passed.
      if (!path.startsWith("/ws/")) return refuse(socket, 404, "No such socket");
      const authResult = await authenticateRequest(req, deps.auth, transport);
      if (!authResult.ok) return refuse(socket, 401, "Log in first");
      if (path === "/ws/terminal") {
        // Browser or `claw exec -it`: the one-time ticket must have been issued to this same login.
        const claim = deps.services.terminals.tickets.redeem(
          url.searchParams.get("ticket") ?? "",
          actorLabel(authResult.actor),
        );
        if (!claim) return refuse(socket, 403, "Missing, used or expired terminal ticket");
        return wss.handleUpgrade(req, socket, head, (ws) => void serveTerminal(ws, claim));
      }
      const job = /^\/ws\/jobs\/(j-[a-z2-7]{10})$/.exec(path);
      if (job?.[1]) {
        const id = job[1];
        return wss.handleUpgrade(req, socket, head, (ws) => {
          serveJob(ws, id, url.searchParams).catch(() => ws.close(1011, "Internal error"));
        });
      }
      if (authResult.actor.kind !== "panel") return refuse(socket, 401, "Log in first");
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
