import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type Server,
} from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { parseCookies } from "../auth/cookies";
import { findSession, sessionCookieName } from "../auth/sessions";
import type { Db } from "../db/client";
import { headerValue } from "../http/respond";
import { checkHost } from "../security/request-gate";
import { agentFilePaths } from "./agent-files";

/**
 * Each agent's Gateway (its Control UI and WebSocket) is served on a loopback port of its own,
 * owned by the panel and open only to a browser holding a panel session. A port per agent gives
 * each Gateway its own origin: script from one agent's container can read neither the panel's
 * pages nor another agent's Gateway token (the Control UI keeps it in localStorage), and the
 * panel's API refuses it as cross-origin. Requests reach the container only through its ingress
 * Unix socket, never over TCP.
 */
export type GatewayProxies = {
  /** The agent's port, listening from the first call on. */
  open(name: string): Promise<number>;
  close(name: string): void;
  closeAll(): void;
};

export type GatewayProxyDeps = {
  agentsDir: string;
  panelPort: number;
  /** True for a request carrying a live panel session (the cookie is sent to every loopback port). */
  isLoggedIn: (req: IncomingMessage) => Promise<boolean>;
};

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

export function createGatewayProxies(deps: GatewayProxyDeps): GatewayProxies {
  const servers = new Map<string, { server: Server; port: Promise<number> }>();

  function serve(name: string): { server: Server; port: Promise<number> } {
    const socketPath = agentFilePaths(deps.agentsDir, name).ingressSocket;
    let port = 0;
    const loginHint = () =>
      `Log in to the claw panel first (http://127.0.0.1:${deps.panelPort}/login), then open this agent's Gateway from its page.`;

    const server = createServer(async (req, res) => {
      const host = checkHost(headerValue(req.headers.host), port);
      if (!host.ok) {
        res.writeHead(421, { "content-type": "text/plain" }).end(host.reason);
        return;
      }
      if (!(await deps.isLoggedIn(req))) {
        res.writeHead(401, { "content-type": "text/plain" }).end(loginHint());
        return;
      }
      const upstream = request(
        {
          socketPath,
          method: req.method,
          path: req.url,
          headers: gatewayRequestHeaders(req.headers, deps.panelPort),
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, gatewayResponseHeaders(answer.headers));
          answer.pipe(res);
        },
      );
      upstream.on("error", () => {
        if (!res.headersSent) {
          res
            .writeHead(502, { "content-type": "text/plain" })
            .end(`${name}'s Gateway is not answering: is the agent running and ready?`);
        } else res.destroy();
      });
      req.pipe(upstream);
    });

    server.on("upgrade", async (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on("error", () => socket.destroy());
      const host = checkHost(headerValue(req.headers.host), port);
      if (!host.ok) return refuse(socket, 421, host.reason);
      const origin = headerValue(req.headers.origin)?.toLowerCase();
      if (origin !== `http://127.0.0.1:${port}` && origin !== `http://localhost:${port}`) {
        return refuse(socket, 403, "WebSocket from another origin is refused");
      }
      if (!(await deps.isLoggedIn(req))) return refuse(socket, 401, loginHint());
      const upstream = request({
        socketPath,
        method: req.method,
        path: req.url,
        headers: gatewayRequestHeaders(req.headers, deps.panelPort),
      });
      upstream.on("upgrade", (answer, gateway, gatewayHead) => {
        const lines = [`HTTP/1.1 ${answer.statusCode} ${answer.statusMessage}`];
        for (let i = 0; i < answer.rawHeaders.length; i += 2) {
          if (answer.rawHeaders[i]?.toLowerCase() === "set-cookie") continue;
          lines.push(`${answer.rawHeaders[i]}: ${answer.rawHeaders[i + 1]}`);
        }
        socket.write(`${lines.join("\r\n")}\r\n\r\n`);
        if (gatewayHead.length > 0) socket.write(gatewayHead);
        if (head.length > 0) gateway.write(head);
        gateway.pipe(socket).pipe(gateway);
        gateway.on("error", () => socket.destroy());
        socket.on("close", () => gateway.destroy());
        gateway.on("close", () => socket.destroy());
      });
      upstream.on("response", (answer) => {
        refuse(socket, answer.statusCode ?? 502, "The Gateway refused the WebSocket");
        answer.resume();
      });
      upstream.on("error", () => refuse(socket, 502, `${name}'s Gateway is not answering`));
      upstream.end();
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
    const secret = parseCookies(headerValue(req.headers.cookie)).get(sessionCookieName(panelPort));
    return secret !== undefined && (await findSession(db, secret)).status === "valid";
  };
}
