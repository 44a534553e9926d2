import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { findSessionFromCookieHeader } from "../auth/sessions";
import type { Db } from "../db/client";
import { headerValue, isSendableStatus } from "../http/respond";
import { checkHost } from "../security/request-gate";
import type { GatewayTunnels } from "./gateway-tunnels";

/**
 * Each agent's Gateway (its Control UI and WebSocket) is served on a loopback port of its own,
 * owned by the panel and open only to a browser holding a panel session. A port per agent gives
 * each Gateway its own origin: script from one agent's container can read neither the panel's
 * pages nor another agent's Gateway token (the Control UI keeps it in localStorage), and the
 * panel's API refuses it as cross-origin. Requests reach the container only through tunnels its
 * bridge dialed to the panel (gateway-tunnels.ts), never over TCP and never by a path it can write.
 */
export type GatewayProxies = {
  /** The agent's port, listening from the first call on. */
  open(name: string): Promise<number>;
  close(name: string): void;
  closeAll(): void;
};

export type GatewayProxyDeps = {
  panelPort: number;
  /** True for a request carrying a live panel session (the cookie is sent to every loopback port). */
  isLoggedIn: (req: IncomingMessage) => Promise<boolean>;
  tunnels: Pick<GatewayTunnels, "claim">;
};

const upgradeTimeoutMs = 30_000;

/** The Gateway's compiled `controlUi.allowedOrigins` names the panel's origin; the proxy speaks for it. */
const gatewayHost = "127.0.0.1:18789";

/** Pure: what reaches the Gateway. Never the panel's cookies; the Origin is the panel's once the proxy has checked it. */
export function gatewayRequestHeaders(headers: IncomingHttpHeaders, panelPort: number): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = { ...headers, host: gatewayHost };
  delete out.cookie;
  delete out["x-claw-csrf"];
  if (out.origin) out.origin = `http://127.0.0.1:${panelPort}`;
  return out;
}

/** Pure: what reaches the browser. No cookies: a Set-Cookie for 127.0.0.1 would reach the panel too. */
export function gatewayResponseHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out = { ...headers };
  delete out["set-cookie"];
  return out;
}

function refuse(socket: Duplex, status: number, reason: string) {
  socket.end(
    `HTTP/1.1 ${status} Refused\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`,
  );
}

/** Pure: the status the browser is sent; anything the Gateway invents (0, 999) becomes 502. */
export function browserStatus(status: number | undefined): number {
  return isSendableStatus(status) ? status : 502;
}

/** Pure: whether a request may reach the Gateway. Only the agent's own pages may change state. */
export function checkGatewayRequest(
  method: string,
  origin: string | undefined,
  port: number,
): { ok: true } | { ok: false; reason: string } {
  if (method === "GET" || method === "HEAD") return { ok: true };
  const own = origin?.toLowerCase();
  if (own === `http://127.0.0.1:${port}` || own === `http://localhost:${port}`) return { ok: true };
  return { ok: false, reason: `${method} from another origin (${origin ?? "none"}) is refused` };
}

export function createGatewayProxies(deps: GatewayProxyDeps): GatewayProxies {
  const servers = new Map<string, { server: Server; port: Promise<number> }>();
  const report = (name: string, error: unknown) =>
    console.error(`claw: ${name}'s Gateway proxy: ${error instanceof Error ? error.message : String(error)}`);

  function serve(name: string): { server: Server; port: Promise<number> } {
    let port = 0;
    const loginHint = () =>
      `Log in to the claw panel first (http://127.0.0.1:${deps.panelPort}/login), then open this agent's Gateway from its page.`;
    const notAnswering = `${name}'s Gateway is not answering: is the agent running and ready?`;

    async function handle(req: IncomingMessage, res: ServerResponse) {
      const host = checkHost(headerValue(req.headers.host), port);
      if (!host.ok) {
        res.writeHead(421, { "content-type": "text/plain" }).end(host.reason);
        return;
      }
      const allowed = checkGatewayRequest(req.method ?? "GET", headerValue(req.headers.origin), port);
      if (!allowed.ok) {
        res.writeHead(403, { "content-type": "text/plain" }).end(allowed.reason);
        return;
      }
      if (!(await deps.isLoggedIn(req))) {
        res.writeHead(401, { "content-type": "text/plain" }).end(loginHint());
        return;
      }
      const tunnel = await deps.tunnels.claim(name).catch(() => undefined);
      if (!tunnel) {
        res.writeHead(502, { "content-type": "text/plain" }).end(notAnswering);
        return;
      }
      const upstream = request(
        {
          createConnection: () => tunnel,
          method: req.method,
          path: req.url,
          // One request per tunnel: the Gateway closes it after answering, and the bridge redials.
          headers: { ...gatewayRequestHeaders(req.headers, deps.panelPort), connection: "close" },
        },
        (answer) => {
          try {
            res.writeHead(browserStatus(answer.statusCode), gatewayResponseHeaders(answer.headers));
          } catch (error) {
            report(name, error);
            answer.destroy();
            if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" }).end(notAnswering);
            return;
          }
          // A tunnel cut mid-answer must not leave the browser waiting for the rest.
          answer.on("close", () => {
            if (!answer.complete) res.destroy();
          });
          answer.pipe(res);
        },
      );
      upstream.on("error", () => {
        if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" }).end(notAnswering);
        else res.destroy();
      });
      res.on("close", () => upstream.destroy());
      req.pipe(upstream);
    }

    async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
      const host = checkHost(headerValue(req.headers.host), port);
      if (!host.ok) return refuse(socket, 421, host.reason);
      const origin = headerValue(req.headers.origin)?.toLowerCase();
      if (origin !== `http://127.0.0.1:${port}` && origin !== `http://localhost:${port}`) {
        return refuse(socket, 403, "WebSocket from another origin is refused");
      }
      if (!(await deps.isLoggedIn(req))) return refuse(socket, 401, loginHint());
      const tunnel = await deps.tunnels.claim(name).catch(() => undefined);
      if (!tunnel) return refuse(socket, 502, `${name}'s Gateway is not answering`);
      const upstream = request({
        createConnection: () => tunnel,
        method: req.method,
        path: req.url,
        headers: gatewayRequestHeaders(req.headers, deps.panelPort),
      });
      // A bridge that never answers the upgrade, or a browser that leaves first, frees the tunnel.
      const timer = setTimeout(
        () => upstream.destroy(new Error("no answer to the upgrade")),
        upgradeTimeoutMs,
      );
      const leave = () => upstream.destroy();
      socket.once("close", leave);
      const settle = () => {
        clearTimeout(timer);
        socket.off("close", leave);
      };
      upstream.on("upgrade", (answer, gateway, gatewayHead) => {
        settle();
        if (answer.statusCode !== 101) {
          gateway.destroy();
          return refuse(socket, 502, "The Gateway answered the WebSocket with a malformed upgrade");
        }
        const lines = [`HTTP/1.1 101 ${answer.statusMessage}`];
        for (let i = 0; i < answer.rawHeaders.length; i += 2) {
          if (answer.rawHeaders[i]?.toLowerCase() === "set-cookie") continue;
          lines.push(`${answer.rawHeaders[i]}: ${answer.rawHeaders[i + 1]}`);
        }
        socket.write(`${lines.join("\r\n")}\r\n\r\n`);
        if (gatewayHead.length > 0) socket.write(gatewayHead);
        if (head.length > 0) gateway.write(head);
        gateway.pipe(socket).pipe(gateway);
        // pipe() passes each end on after the buffered data; errors and closes tear both down.
        gateway.on("error", () => socket.destroy());
        socket.on("close", () => gateway.destroy());
        gateway.on("close", () => socket.end());
      });
      upstream.on("response", (answer) => {
        settle();
        refuse(socket, browserStatus(answer.statusCode), "The Gateway refused the WebSocket");
        answer.resume();
      });
      upstream.on("error", () => {
        settle();
        refuse(socket, 502, `${name}'s Gateway is not answering`);
      });
      upstream.end();
    }

    // An exception in a handler answers 502 and is logged; it never reaches the panel's process.
    const server = createServer((req, res) => {
      handle(req, res).catch((error: unknown) => {
        report(name, error);
        if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" }).end(notAnswering);
        else res.destroy();
      });
    });
    server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on("error", () => socket.destroy());
      upgrade(req, socket, head).catch((error: unknown) => {
        report(name, error);
        refuse(socket, 502, `${name}'s Gateway is not answering`);
      });
    });

    const listening = new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        port = (server.address() as AddressInfo).port;
        resolve(port);
      });
    });
    return { server, port: listening };
  }

  return {
    open(name) {
      let entry = servers.get(name);
      if (!entry) {
        entry = serve(name);
        servers.set(name, entry);
        entry.port.catch(() => servers.delete(name));
      }
      return entry.port;
    },
    close(name) {
      const entry = servers.get(name);
      if (!entry) return;
      servers.delete(name);
      entry.server.close();
      entry.server.closeAllConnections();
    },
    closeAll() {
      for (const name of [...servers.keys()]) this.close(name);
    },
  };
}

/** A browser's panel session, read from the cookie every loopback port receives. */
export function hasPanelSession(db: Db, panelPort: number) {
  return async (req: IncomingMessage): Promise<boolean> => {
    const lookup = await findSessionFromCookieHeader(db, headerValue(req.headers.cookie), panelPort);
    return lookup.status === "valid";
  };
}
