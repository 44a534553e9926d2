/**
 * The Gateway's ingress before and after issue 15, on one agent container in one run:
 * - before: the panel connected by path to a socket the bridge in the container listened on
 *   (a directory the agent could write); re-created here by a copy of that bridge started with
 *   `podman exec`, and the old proxy's way of reaching it (keep-alive requests by socketPath);
 * - after: the bridge dials the panel's socket and keeps idle tunnels ready; the panel's own
 *   Gateway proxy (server/agents/gateway-proxy.ts) claims one per request or WebSocket.
 * Both proxies serve the same container: the Control UI's first load (its page and every asset it
 * names, six at a time like a browser) and a WebSocket (upgrade, then ping round trips).
 */
import { execFile } from "node:child_process";
import { rm } from "node:fs/promises";
import { createServer, Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { connect } from "node:net";
import { join } from "node:path";
import type { Duplex } from "node:stream";
import { promisify } from "node:util";
import { WebSocket } from "ws";
import { probeGateway } from "../server/agents/gateway-probe";
import { createGatewayProxies, gatewayRequestHeaders } from "../server/agents/gateway-proxy";
import { createGatewayTunnels } from "../server/agents/gateway-tunnels";
import { runCli } from "../test/run-cli";
import { cliEnvOf, startPanel } from "../test/start-panel";
import { prepareBareAgent } from "./bare-agent";

const exec = promisify(execFile);
const rounds = Number(process.env.BENCH_RUNS ?? 15);
const pings = 200;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The bridge as it was: listening where the panel connects, piping to the Gateway. */
const oldBridge = (socketPath: string) => `
  const { connect, createServer } = require("node:net");
  const server = createServer((client) => {
    const gateway = connect({ host: "127.0.0.1", port: 18789 });
    client.pipe(gateway).pipe(client);
    const close = () => { client.destroy(); gateway.destroy(); };
    client.on("error", close).on("close", close);
    gateway.on("error", close).on("close", close);
  });
  server.listen(${JSON.stringify(socketPath)}, () => require("node:fs").chmodSync(${JSON.stringify(socketPath)}, 0o666));`;

/** The proxy as it was: each request by socketPath through Node's keep-alive global agent. */
function startOldProxy(socketPath: string, panelPort: number): Promise<{ port: number; close: () => void }> {
  const server = createServer((req, res) => {
    const upstream = httpRequest(
      {
        socketPath,
        method: req.method,
        path: req.url,
        headers: gatewayRequestHeaders(req.headers, panelPort),
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const upstream = httpRequest({
      socketPath,
      method: req.method,
      path: req.url,
      headers: gatewayRequestHeaders(req.headers, panelPort),
    });
    upstream.on("upgrade", (answer, gateway, gatewayHead) => {
      const lines = [`HTTP/1.1 ${answer.statusCode} ${answer.statusMessage}`];
      for (let i = 0; i < answer.rawHeaders.length; i += 2)
        lines.push(`${answer.rawHeaders[i]}: ${answer.rawHeaders[i + 1]}`);
      socket.write(`${lines.join("\r\n")}\r\n\r\n`);
      if (gatewayHead.length > 0) socket.write(gatewayHead);
      if (head.length > 0) gateway.write(head);
      gateway.pipe(socket).pipe(gateway);
    });
    upstream.end();
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      resolve({
        port: typeof address === "object" && address ? address.port : 0,
        close: () => {
          server.close();
          server.closeAllConnections();
        },
      });
    }),
  );
}

function get(agent: HttpAgent, port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ port, path, agent, headers: { host: `127.0.0.1:${port}` } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () =>
        res.statusCode === 200 ? resolve(body) : reject(new Error(`${path}: ${res.statusCode}`)),
      );
    });
    req.setTimeout(30_000, () => req.destroy(new Error(`${path}: no answer within 30 s`)));
    req.on("error", reject).end();
  });
}

/** The Control UI page, then every asset it names, six at a time over keep-alive, as a browser. */
async function firstLoad(port: number, basePath: string): Promise<{ ms: number; assets: number }> {
  const agent = new HttpAgent({ keepAlive: true, maxSockets: 6 });
  const started = performance.now();
  const page = await get(agent, port, `${basePath}/`);
  const assets = [...page.matchAll(/(?:src|href)="([^"]+)"/g)]
    .map((match) => match[1] ?? "")
    .filter((url) => url.startsWith(`${basePath}/`) && url !== `${basePath}/`);
  await Promise.all(assets.map((url) => get(agent, port, url)));
  const ms = performance.now() - started;
  agent.destroy();
  return { ms, assets: assets.length };
}

/** Upgrade time, then the median of ping → pong round trips on the open socket. */
async function websocket(port: number): Promise<{ upgradeMs: number; rttMs: number }> {
  const started = performance.now();
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { origin: `http://127.0.0.1:${port}` });
  const closed = new Promise<never>((_resolve, reject) => {
    ws.once("close", (code) => reject(new Error(`the Gateway closed the WebSocket (${code})`)));
    ws.once("error", reject);
    ws.once("unexpected-response", (_req, res) => reject(new Error(`WebSocket: ${res.statusCode}`)));
  });
  closed.catch(() => {});
  await Promise.race([new Promise<void>((resolve) => ws.once("open", () => resolve())), closed]);
  const upgradeMs = performance.now() - started;
  const times: number[] = [];
  for (let i = 0; i < pings; i++) {
    const t0 = performance.now();
    await Promise.race([
      new Promise<void>((resolve) => {
        ws.once("pong", () => resolve());
        ws.ping();
      }),
      closed,
    ]);
    times.push(performance.now() - t0);
  }
  ws.close();
  return { upgradeMs, rttMs: median(times) };
}

export async function run() {
  const panel = await startPanel();
  const env = cliEnvOf(panel);
  const agent = `bench-ing-${Date.now().toString(36)}`;
  const container = `claw-bench-ingress-${Date.now().toString(36)}`;
  const tunnels = createGatewayTunnels();
  const proxies = createGatewayProxies({ panelPort: panel.port, isLoggedIn: async () => true, tunnels });
  let bareDir = "";
  let old: { port: number; close: () => void } | undefined;
  try {
    const prepared = await prepareBareAgent(panel, agent);
    bareDir = prepared.bareDir;
    await tunnels.ensure(container, join(bareDir, "run", "ingress", "gateway.sock"));
    await prepared.runBare(container);
    const deadline = Date.now() + 120_000;
    while (!(await probeGateway(() => tunnels.claim(container, 1_000)))) {
      if (Date.now() > deadline) throw new Error("the Gateway was not ready after 120 s");
      await sleep(250);
    }
    // The old bridge needs a directory the agent can write: its workspace.
    const oldSocket = join(bareDir, "workspace", ".bench-old-ingress.sock");
    await exec("podman", [
      "exec",
      "-d",
      container,
      "node",
      "-e",
      oldBridge("/workspace/.bench-old-ingress.sock"),
    ]);
    for (let i = 0; i < 50; i++) {
      const ok = await new Promise<boolean>((resolve) => {
        const socket = connect(oldSocket, () => {
          socket.destroy();
          resolve(true);
        }).on("error", () => resolve(false));
      });
      if (ok) break;
      await sleep(100);
    }
    old = await startOldProxy(oldSocket, panel.port);
    const now = await proxies.open(container);
    const basePath = `/agents/${agent}/gateway`;

    const results = {
      before: { load: [] as number[], upgrade: [] as number[], rtt: [] as number[], assets: 0 },
      after: { load: [] as number[], upgrade: [] as number[], rtt: [] as number[], assets: 0 },
    };
    // Warm both paths (the Gateway compiles and caches its Control UI on first use).
    process.stderr.write("warming up\n");
    await firstLoad(old.port, basePath);
    await firstLoad(now, basePath);
    await websocket(old.port);
    await websocket(now);
    for (let i = 0; i < rounds; i++) {
      process.stderr.write(`round ${i + 1}/${rounds}\r`);
      for (const [which, port] of [
        ["before", old.port],
        ["after", now],
      ] as const) {
        const load = await firstLoad(port, basePath);
        const ws = await websocket(port);
        results[which].load.push(load.ms);
        results[which].assets = load.assets;
        results[which].upgrade.push(ws.upgradeMs);
        results[which].rtt.push(ws.rttMs);
      }
    }

    process.stderr.write("\n");
    const ratio = (key: "load" | "upgrade" | "rtt") =>
      (median(results.after[key]) / median(results.before[key])).toFixed(2);
    console.log(`median of ${rounds} alternating rounds; Control UI: page + ${results.after.assets} assets`);
    console.log("| ingress | Control UI first load, ms | WebSocket upgrade, ms | WebSocket ping RTT, ms |");
    console.log("|---|---|---|---|");
    for (const which of ["before", "after"] as const) {
      const label =
        which === "before"
          ? "before: panel connects to the bridge's socket (baseline)"
          : "after: bridge dials the panel, pre-dialed tunnels";
      console.log(
        `| ${label} | ${median(results[which].load).toFixed(1)} | ${median(results[which].upgrade).toFixed(1)} | ${median(results[which].rtt).toFixed(2)} |`,
      );
    }
    console.log(`| after / before | ${ratio("load")}× | ${ratio("upgrade")}× | ${ratio("rtt")}× |`);
  } finally {
    old?.close();
    proxies.closeAll();
    await tunnels.closeAll();
    await exec("podman", ["rm", "-f", "-t", "2", container]).catch(() => {});
    await runCli(["agents", "delete", agent, "--force"], env).catch(() => {});
    await panel.stop();
    if (bareDir) await rm(bareDir, { recursive: true, force: true });
  }
}
