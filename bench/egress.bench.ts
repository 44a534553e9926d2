/**
 * What the egress proxy costs: connection+request latency and download throughput from inside a
 * `restricted` agent (fetch → forwarder on 127.0.0.1:3128 → Unix socket → the panel's proxy →
 * the server) against a `full` agent reaching the same host server directly over Podman's
 * network (baseline), in one run on one machine, in alternating rounds. Each round is one `node -e`
 * script in the agent doing all the requests, so `claw exec`'s start-up is not in the numbers.
 * BENCH_EGRESS_REQUESTS (200), BENCH_EGRESS_MB (200) and BENCH_EGRESS_ROUNDS (3) set the sizes.
 */
import { execFile } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { networkTemplate } from "../test/network-template";
import { runCli } from "../test/run-cli";
import { cliEnvOf, startPanel } from "../test/start-panel";

const exec = promisify(execFile);
const requests = Number(process.env.BENCH_EGRESS_REQUESTS ?? 200);
const megabytes = Number(process.env.BENCH_EGRESS_MB ?? 200);
const rounds = Number(process.env.BENCH_EGRESS_ROUNDS ?? 3);
const warmup = 20;
const benchHost = "bench.test";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The host server: `/small` answers "ok" and closes the connection, so each request is a new
 * connection (and, through the proxy, a new CONNECT tunnel); `/bytes` streams the download.
 */
function startServer(): Promise<{ server: Server; port: number; connections: () => number }> {
  const block = Buffer.alloc(1 << 20, 0x61);
  const total = megabytes * 1_000_000;
  let connections = 0;
  const server = createServer((req, res) => {
    if (req.url !== "/bytes") {
      res
        .writeHead(200, { "content-type": "text/plain", "content-length": 2, connection: "close" })
        .end("ok");
      return;
    }
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": total });
    let sent = 0;
    const pump = () => {
      while (sent < total) {
        const size = Math.min(block.length, total - sent);
        sent += size;
        if (!res.write(size === block.length ? block : block.subarray(0, size))) {
          res.once("drain", pump);
          return;
        }
      }
      res.end();
    };
    pump();
  });
  server.on("connection", () => {
    connections++;
  });
  return new Promise((resolve) =>
    server.listen(0, "0.0.0.0", () =>
      resolve({ server, port: (server.address() as AddressInfo).port, connections: () => connections }),
    ),
  );
}

/**
 * Runs inside the agent. `url` null: the `full` agent, which finds the host at its default
 * gateway as test/egress.test.ts does. Node's fetch picks up HTTP_PROXY (NODE_USE_ENV_PROXY) in
 * the restricted agent and tunnels with CONNECT even for http://, as OpenClaw's requests do.
 */
function clientScript(config: { url: string | null; port: number; requests: number; warmup: number }) {
  return `const config = ${JSON.stringify(config)};
(async () => {
  let base = config.url;
  if (!base) {
    const gw = require("fs").readFileSync("/proc/net/route", "utf8").split("\\n").map(l => l.split("\\t")).find(c => c[1] === "00000000");
    base = "http://" + gw[2].match(/../g).reverse().map(h => parseInt(h, 16)).join(".") + ":" + config.port;
  }
  const get = async (path) => {
    const res = await fetch(base + path);
    if (res.status !== 200) throw new Error(path + ": " + res.status);
    return res;
  };
  for (let i = 0; i < config.warmup; i++) await (await get("/small")).text();
  const times = [];
  for (let i = 0; i < config.requests; i++) {
    const t0 = performance.now();
    await (await get("/small")).text();
    times.push(performance.now() - t0);
  }
  const t0 = performance.now();
  const res = await get("/bytes");
  let bytes = 0;
  for await (const chunk of res.body) bytes += chunk.length;
  const seconds = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ base, proxy: process.env.HTTP_PROXY ?? null, node: process.version, times, bytes, seconds }));
})().catch(e => { console.error("bench client:", String(e.cause?.cause?.message ?? e.cause?.message ?? e)); process.exit(1); });`;
}

type ClientResult = {
  /** The URL the client used. */
  base: string;
  proxy: string | null;
  node: string;
  times: number[];
  bytes: number;
  seconds: number;
};

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const p95 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length * 0.95)] ?? 0;

export async function run() {
  const { server, port, connections } = await startServer();
  const panel = await startPanel({ env: { CLAW_EGRESS_RESOLVE: `${benchHost}=127.0.0.1` } }).catch(
    (error: Error) => {
      server.close();
      throw error;
    },
  );
  const env = cliEnvOf(panel);
  const suffix = Date.now().toString(36);
  const agents = { direct: `bench-egf-${suffix}`, proxied: `bench-egr-${suffix}` };

  /** Starts the agent and waits for its Gateway (the CLI waits), so that its start-up is not in the numbers. */
  async function startAgent(agent: string) {
    const start = await runCli(["agents", "start", agent], env);
    if (start.code !== 0) throw new Error(`start ${agent}: ${start.stderr}`);
  }

  /** One round of the client in the agent; checks it went the way it should. */
  async function measure(agent: string, url: string | null): Promise<ClientResult> {
    const before = connections();
    const result = await runCli(
      ["exec", agent, "--", "node", "-e", clientScript({ url, port, requests, warmup })],
      env,
    );
    if (result.code !== 0) throw new Error(`client in ${agent} failed (${result.code}): ${result.stderr}`);
    const parsed = JSON.parse(result.stdout.trim().split("\n").pop() ?? "") as ClientResult;
    if ((parsed.proxy !== null) !== (url !== null))
      throw new Error(`${agent}: HTTP_PROXY is ${parsed.proxy ?? "unset"}`);
    if (parsed.bytes !== megabytes * 1_000_000) throw new Error(`${agent}: downloaded ${parsed.bytes} bytes`);
    // One connection per request is the point of the latency rows: check the server saw them.
    const seen = connections() - before;
    if (seen < warmup + requests + 1)
      throw new Error(`${agent}: ${seen} connections for ${warmup + requests + 1} requests`);
    return parsed;
  }

  try {
    await mkdir(join(panel.home, "templates"), { recursive: true });
    const networks = {
      direct: "    profile: full",
      proxied: `    profile: restricted\n    allow:\n      - ${benchHost}:${port}`,
    };
    for (const [kind, network] of Object.entries(networks)) {
      await writeFile(
        join(panel.home, "templates", `bench-egress-${kind}.yaml`),
        networkTemplate(`bench-egress-${kind}`, network, { cpus: 2 }),
      );
      const name = agents[kind as keyof typeof agents];
      const created = await runCli(
        ["agents", "create", "--template", `bench-egress-${kind}`, "--name", name],
        env,
      );
      if (created.code !== 0) throw new Error(`create ${name}: ${created.stderr}`);
    }

    await startAgent(agents.direct);
    await startAgent(agents.proxied);
    await sleep(3_000); // let the Gateways' start-up work settle
    // Alternating rounds, so that the machine's other load falls on both paths alike.
    const direct: ClientResult[] = [];
    const proxied: ClientResult[] = [];
    for (let round = 0; round < rounds; round++) {
      direct.push(await measure(agents.direct, null));
      proxied.push(await measure(agents.proxied, `http://${benchHost}:${port}`));
    }

    const times = (results: ClientResult[]) => results.flatMap((r) => r.times);
    const throughput = (results: ClientResult[]) => median(results.map((r) => r.bytes / 1e6 / r.seconds));
    const rows: [string, number, number, number][] = [
      ["median connection + request, ms", median(times(direct)), median(times(proxied)), 2],
      ["p95 connection + request, ms", p95(times(direct)), p95(times(proxied)), 2],
      ["download throughput (median of rounds), MB/s", throughput(direct), throughput(proxied), 1],
    ];
    const [first, firstProxied] = [direct[0], proxied[0]];
    if (!first || !firstProxied) throw new Error("no rounds");
    console.log(
      `${rounds} alternating rounds of ${requests} sequential GETs, each on a new connection (after ${warmup} warm-up), ` +
        `then one ${megabytes} MB download; Node ${firstProxied.node} fetch inside the agent; ` +
        `direct: \`full\` agent → ${first.base}; ` +
        `proxy: \`restricted\` agent → ${firstProxied.proxy} → panel proxy → ${benchHost} (127.0.0.1)`,
    );
    console.log("| metric | direct (baseline) | through the proxy | proxy vs direct |");
    console.log("|---|---|---|---|");
    for (const [metric, bare, viaProxy, digits] of rows) {
      console.log(
        `| ${metric} | ${bare.toFixed(digits)} | ${viaProxy.toFixed(digits)} | ${(viaProxy / bare).toFixed(2)}× |`,
      );
    }
    console.log(
      `added latency per new connection (median): ${(median(times(proxied)) - median(times(direct))).toFixed(2)} ms`,
    );
  } finally {
    for (const name of Object.values(agents)) {
      await runCli(["agents", "delete", name, "--force"], env).catch(() => {});
      await exec("podman", ["rm", "-f", `claw-agent-${name}`]).catch(() => {});
    }
    await panel.stop();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
