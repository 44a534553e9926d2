import { mkdtemp, rm } from "node:fs/promises";
import { request } from "node:http";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import {
  browserStatus,
  checkGatewayRequest,
  createGatewayProxies,
  gatewayRequestHeaders,
  gatewayResponseHeaders,
} from "./gateway-proxy";
import { createGatewayTunnels } from "./gateway-tunnels";

/**
 * The panel's side of the ingress with a stand-in for the bridge in the container: a hostile one
 * that answers whatever it likes on the tunnels it dialed. The proxy must answer 502 for what it
 * cannot pass on and keep serving; the real bridge and Gateway are in test/ingress-boundary.test.ts.
 */
type Bridge = { answer: string; dialed: Socket[]; received: string[] };

function hostileBridge(socketPath: string, count: number): Bridge {
  const bridge: Bridge = { answer: "", dialed: [], received: [] };
  for (let i = 0; i < count; i++) {
    const socket = connect(socketPath);
    socket.on("error", () => {});
    socket.once("data", (chunk) => {
      bridge.received.push(chunk.toString("latin1"));
      socket.end(bridge.answer);
    });
    bridge.dialed.push(socket);
  }
  return bridge;
}

describe("the Gateway proxy over panel-owned tunnels", () => {
  const tunnels = createGatewayTunnels();
  const proxies = createGatewayProxies({ panelPort: 7878, isLoggedIn: async () => true, tunnels });
  let dir = "";
  let socketPath = "";
  let port = 0;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "claw-gw-"));
    socketPath = join(dir, "ingress", "gateway.sock");
    await tunnels.ensure("a", socketPath);
    port = await proxies.open("a");
  });
  afterAll(async () => {
    proxies.closeAll();
    await tunnels.closeAll();
    await rm(dir, { recursive: true, force: true });
  });

  const get = (path: string, init: RequestInit = {}) => fetch(`http://127.0.0.1:${port}${path}`, init);

  it("passes a request to the bridge and its answer back, one request per tunnel", async () => {
    const bridge = hostileBridge(socketPath, 1);
    bridge.answer =
      "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nset-cookie: a=b\r\ncontent-length: 2\r\n\r\nhi";
    const answer = await get("/readyz", { headers: { cookie: "claw_session_7878=secret" } });
    expect(answer.status).toBe(200);
    expect(await answer.text()).toBe("hi");
    expect(answer.headers.get("set-cookie")).toBeNull();
    expect(bridge.received[0]).toMatch(/^GET \/readyz HTTP\/1\.1\r\n/);
    expect(bridge.received[0]).toMatch(/\r\nconnection: close\r\n/i);
    expect(bridge.received[0]).not.toContain("secret");
  });

  it.each(["HTTP/1.1 999 Nonsense", "HTTP/1.1 0 Nonsense", "HTTP/1.1 20 Short", "garbage"])(
    "answers 502 for an upstream status line %j and keeps serving",
    async (statusLine) => {
      const bridge = hostileBridge(socketPath, 1);
      bridge.answer = `${statusLine}\r\ncontent-length: 0\r\n\r\n`;
      expect((await get("/")).status).toBe(502);
      const next = hostileBridge(socketPath, 1);
      next.answer = "HTTP/1.1 204 No Content\r\n\r\n";
      expect((await get("/")).status).toBe(204);
    },
  );

  it("does not leave the browser waiting when the tunnel is cut mid-answer", async () => {
    const bridge = hostileBridge(socketPath, 1);
    bridge.answer = "HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nshort";
    const answer = await get("/");
    expect(answer.status).toBe(200);
    await expect(answer.text()).rejects.toThrow();
  });

  it("refuses a state-changing request from another origin before it reaches the bridge", async () => {
    const bridge = hostileBridge(socketPath, 1);
    bridge.answer = "HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n";
    const foreign = await get("/api", {
      method: "POST",
      headers: { origin: "http://127.0.0.1:9" },
      body: "x",
    });
    expect(foreign.status).toBe(403);
    expect(await foreign.text()).toMatch(/another origin/);
    const own = await get("/api", {
      method: "POST",
      headers: { origin: `http://127.0.0.1:${port}` },
      body: "x",
    });
    expect(own.status).toBe(200);
    expect(bridge.received).toHaveLength(1);
    // The Gateway sees the panel's origin, which its compiled allowedOrigins names.
    expect(bridge.received[0]).toMatch(/\r\norigin: http:\/\/127\.0\.0\.1:7878\r\n/i);
  });

  it("drops a tunnel on which the bridge spoke before it was asked", async () => {
    const early = connect(socketPath);
    early.on("error", () => {});
    early.write("HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nforgd");
    await new Promise((resolve) => setTimeout(resolve, 100));
    const honest = hostileBridge(socketPath, 1);
    honest.answer = "HTTP/1.1 200 OK\r\ncontent-length: 6\r\n\r\nhonest";
    const answer = await get("/");
    expect(await answer.text()).toBe("honest");
    early.destroy();
  });

  it("answers 502 for a WebSocket whose upgrade the bridge botches", async () => {
    const bridge = hostileBridge(socketPath, 1);
    bridge.answer = "HTTP/1.1 999 Switching\r\nupgrade: websocket\r\nconnection: upgrade\r\n\r\n";
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { origin: `http://127.0.0.1:${port}` });
      ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
      ws.on("open", () => resolve(101));
      ws.on("error", () => {});
    });
    expect(status).toBe(502);
  });

  it("answers 502 when no bridge offers a tunnel", { timeout: 20_000 }, async () => {
    const answer = await new Promise<number>((resolve, reject) => {
      request({ port, path: "/" }, (res) => resolve(res.statusCode ?? 0))
        .on("error", reject)
        .end();
    });
    expect(answer).toBe(502);
  });

  it("refuses tunnels for an agent whose socket is closed", async () => {
    await expect(tunnels.claim("nobody", 100)).rejects.toThrow(/not running/);
  });
});

describe("pure checks", () => {
  it("keeps statuses 100–599 and turns anything else into 502", () => {
    expect([200, 101, 599, 100].map(browserStatus)).toEqual([200, 101, 599, 100]);
    expect([0, 99, 600, 999, undefined, 200.5].map(browserStatus)).toEqual([502, 502, 502, 502, 502, 502]);
  });
  it("lets only the agent's own origin change state", () => {
    expect(checkGatewayRequest("GET", "http://evil", 5000).ok).toBe(true);
    expect(checkGatewayRequest("POST", "http://127.0.0.1:5000", 5000).ok).toBe(true);
    expect(checkGatewayRequest("POST", "http://localhost:5000", 5000).ok).toBe(true);
    expect(checkGatewayRequest("POST", "http://127.0.0.1:7878", 5000).ok).toBe(false);
    expect(checkGatewayRequest("PUT", undefined, 5000).ok).toBe(false);
    expect(checkGatewayRequest("OPTIONS", "null", 5000).ok).toBe(false);
  });
});

describe("the Gateway proxy's headers", () => {
  it("never passes the panel's cookie or CSRF header to the agent, and speaks for the checked origin", () => {
    const out = gatewayRequestHeaders(
      {
        cookie: "claw_session_7878=s3cret",
        "x-claw-csrf": "1",
        origin: "http://127.0.0.1:40111",
        host: "127.0.0.1:40111",
        accept: "*/*",
      },
      7878,
    );
    expect(out).toEqual({ host: "127.0.0.1:18789", origin: "http://127.0.0.1:7878", accept: "*/*" });
  });

  it("drops Set-Cookie from the agent: a cookie for 127.0.0.1 would reach the panel too", () => {
    expect(
      gatewayResponseHeaders({ "set-cookie": ["claw_session_7878=x"], "content-type": "text/html" }),
    ).toEqual({
      "content-type": "text/html",
    });
  });
});
