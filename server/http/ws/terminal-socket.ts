import { WebSocket } from "ws";
import {
  parseClientMessage,
  terminalCloseCodes,
  terminalSocketPath,
} from "../../../shared/terminal-protocol";
import { actorLabel } from "../../auth/actor";
import { isAppError } from "../../errors";
import type { PanelServices } from "../../panel/panel-services";
import type { TerminalClient, TerminalSession } from "../../terminal/terminal-sessions";
import type { TicketClaim } from "../../terminal/terminal-tickets";
import { type SocketRoute, sendJson } from "./socket-route";

/**
 * `/ws/terminal?ticket=…` (see `shared/terminal-protocol.ts`), for the browser or `claw exec -it`:
 * the one-time ticket must have been issued to this same login.
 */
export const terminalSocket: SocketRoute = {
  path: new RegExp(`^${terminalSocketPath}$`),
  cli: true,
  accept({ services, actor, query }) {
    const claim = services.terminals.tickets.redeem(query.get("ticket") ?? "", actorLabel(actor));
    if (!claim) return { status: 403, reason: "Missing, used or expired terminal ticket" };
    return (ws) => serveTerminal(ws, services, claim);
  },
};

async function serveTerminal(ws: WebSocket, services: PanelServices, claim: TicketClaim) {
  const { manager } = services.terminals;
  const client: TerminalClient = {
    output: (data) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(data, { binary: true });
    },
    control: (message) => sendJson(ws, message),
    close: (why = "ended") =>
      why === "replaced"
        ? ws.close(terminalCloseCodes.replaced, "Opened in another window")
        : ws.close(terminalCloseCodes.ended, "Terminal ended"),
  };
  // Frames that arrive while the exec is being created wait for it, in order.
  let session: TerminalSession | undefined;
  const early: [WebSocket.RawData, boolean][] = [];
  let closed = false;
  const handle = (live: TerminalSession, data: WebSocket.RawData, isBinary: boolean) => {
    if (isBinary) return live.input(data as Buffer);
    // Not ours to crash on: a bad frame is dropped.
    const message = parseClientMessage(String(data));
    if (message?.type === "input") live.input(message.data);
    else if (message?.type === "resize") live.resize(message.cols, message.rows);
    else if (message?.type === "ack") live.ack(message.bytes);
    else if (message?.type === "close") live.close("closed by the user");
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
      ? manager.attach(claim.terminalId, claim.owner, client)
      : await manager.open({
          ...claim,
          containerId: await services.agents.containerOf(claim.agent),
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
    return ws.close(terminalCloseCodes.failed, "No terminal");
  }
  if (closed) return session.detach(client);
  for (const [data, isBinary] of early.splice(0)) handle(session, data, isBinary);
}
