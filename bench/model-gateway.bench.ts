/**
 * What the model gateway costs a model request: a 1 KB answer's latency and a streamed 1 MB
 * answer's throughput, through the gateway (TCP to a relay like the container's claw-relay.mjs →
 * the panel's Unix socket → the gateway, which adds the key, meters, writes the row and the audit
 * event → the model server) against the same requests sent to the model server directly (baseline),
 * in one run, alternating rounds. The model server is a local fake speaking the Messages API.
 * Goals (issue 17): ≤ 1.1× latency for the 1 KB answer, ≥ 0.9× throughput on the 1 MB stream.
 * BENCH_MODEL_REQUESTS (300) and BENCH_MODEL_ROUNDS (3) set the sizes.
 */
import { mkdtemp } from "node:fs/promises";
import { Agent, createServer, request } from "node:http";
import { type AddressInfo, connect, createServer as createTcpServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestAuditLog } from "../server/audit/audit-test-log";
import { createModelGateways } from "../server/models/model-gateways";
import { createSecretStore } from "../server/secrets/secret-store";

const requests = Number(process.env.BENCH_MODEL_REQUESTS ?? 300);
const rounds = Number(process.env.BENCH_MODEL_ROUNDS ?? 3);
const key = "sk-ant-api03-bench-key-0123456789";

const smallAnswer = JSON.stringify({
  id: "msg_bench",
  type: "message",
  role: "assistant",
  model: "claude-bench",
  content: [{ type: "text", text: "x".repeat(800) }],
  stop_reason: "end_turn",
  usage: { input_tokens: 12, output_tokens: 200 },
});
/** ~1 MB of text_delta events, then the usage. */
const streamEvents = (() => {
  const delta = `event: content_block_delta\ndata: ${JSON.stringify({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "y".repeat(4000) } })}\n\n`;
  const start = `event: message_start\ndata: ${JSON.stringify({ type: "message_start", message: { model: "claude-bench", usage: { input_tokens: 12, output_tokens: 1 } } })}\n\n`;
  const end = `event: message_delta\ndata: ${JSON.stringify({ type: "message_delta", usage: { output_tokens: 250000 } })}\n\nevent: message_stop\ndata: {}\n\n`;
  return [start, ...Array.from({ length: Math.ceil(1_000_000 / delta.length) }, () => delta), end];
})();
const streamBytes = streamEvents.reduce((sum, event) => sum + Buffer.byteLength(event), 0);

const servers: { close(): void }[] = [];

function startModelServer(): Promise<number> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      if (req.headers["x-api-key"] !== key) {
        res.writeHead(401).end();
        return;
      }
      if (req.url?.includes("stream")) {
        res.writeHead(200, { "content-type": "text/event-stream" });
        let i = 0;
        const pump = () => {
          while (i < streamEvents.length)
            if (!res.write(streamEvents[i++])) return void res.once("drain", pump);
          res.end();
        };
        pump();
        return;
      }
      res
        .writeHead(200, {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(smallAnswer),
        })
        .end(smallAnswer);
    });
  });
  servers.push(server);
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
  );
}

/** The container's relay, in process: 127.0.0.1:PORT → the gateway's socket. */
function startRelay(socketPath: string): Promise<number> {
  const server = createTcpServer((client) => {
    const upstream = connect(socketPath);
    client.pipe(upstream).pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", close).on("close", close);
    upstream.on("error", close).on("close", close);
  });
  servers.push(server);
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
  );
}

function post(port: number, path: string, agent: Agent, apiKey: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({
      model: "claude-bench",
      max_tokens: 10,
      messages: [{ role: "user", content: "hi" }],
    });
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path,
        method: "POST",
        agent,
        headers: {
          "x-api-key": apiKey,
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
        },
      },
      (res) => {
        let bytes = 0;
        res.on("data", (chunk: Buffer) => {
          bytes += chunk.length;
        });
        res.on("end", () =>
          res.statusCode === 200 ? resolve(bytes) : reject(new Error(`${path}: ${res.statusCode}`)),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

async function latency(port: number, apiKey: string) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  for (let i = 0; i < 30; i++) await post(port, "/v1/messages", agent, apiKey);
  const times: number[] = [];
  for (let i = 0; i < requests; i++) {
    const t0 = performance.now();
    await post(port, "/v1/messages", agent, apiKey);
    times.push(performance.now() - t0);
  }
  agent.destroy();
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? 0;
}

async function throughput(port: number, apiKey: string) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  await post(port, "/v1/messages?stream", agent, apiKey);
  const t0 = performance.now();
  let bytes = 0;
  for (let i = 0; i < 10; i++) bytes += await post(port, "/v1/messages?stream", agent, apiKey);
  agent.destroy();
  if (bytes !== streamBytes * 10) throw new Error(`streamed ${bytes} bytes, expected ${streamBytes * 10}`);
  return bytes / 1e6 / ((performance.now() - t0) / 1000);
}

export async function run() {
  const log = await createTestAuditLog();
  const dir = await mkdtemp(join(tmpdir(), "claw-bench-model-"));
  const secrets = createSecretStore({ dir: join(dir, "secrets"), audit: log.audit });
  await secrets.set("anthropic-api-key", key, "cli");
  const modelPort = await startModelServer();
  const gateways = createModelGateways({ db: log.db, audit: log.audit, secrets, overrides: new Map() });
  const socketPath = join(dir, "agent", "run", "model", "model.sock");
  await gateways.ensure({ agent: "bench" }, socketPath, async () => ({
    provider: "anthropic",
    model: "claude-bench",
    upstream: `http://127.0.0.1:${modelPort}`,
    secret: "anthropic-api-key",
    budget: { tokensPerDay: null, requestsPerMinute: null },
  }));
  const relayPort = await startRelay(socketPath);

  const results = {
    direct: { latency: [] as number[], mbps: [] as number[] },
    gateway: { latency: [] as number[], mbps: [] as number[] },
  };
  for (let round = 0; round < rounds; round++) {
    results.direct.latency.push(await latency(modelPort, key));
    results.gateway.latency.push(await latency(relayPort, "claw-model-gateway"));
    results.direct.mbps.push(await throughput(modelPort, key));
    results.gateway.mbps.push(await throughput(relayPort, "claw-model-gateway"));
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  const d = { latency: median(results.direct.latency), mbps: median(results.direct.mbps) };
  const g = { latency: median(results.gateway.latency), mbps: median(results.gateway.mbps) };
  const metered = await log.db.modelRequest.count({ where: { agent: "bench" } });
  console.log(
    `${rounds} rounds of ${requests} requests with a 1 KB answer and 10 streamed ${(streamBytes / 1e6).toFixed(2)} MB answers; ${metered} requests metered and audited`,
  );
  console.log("| path | 1 KB answer, median ms | 1 MB stream, MB/s |");
  console.log("|---|---|---|");
  console.log(`| direct to the model server (baseline) | ${d.latency.toFixed(3)} | ${d.mbps.toFixed(0)} |`);
  console.log(`| through the model gateway | ${g.latency.toFixed(3)} | ${g.mbps.toFixed(0)} |`);
  console.log(
    `| ratio | ${(g.latency / d.latency).toFixed(2)}× (goal ≤ 1.1×) | ${(g.mbps / d.mbps).toFixed(2)}× (goal ≥ 0.9×) |`,
  );
  await gateways.closeAll();
  for (const server of servers) server.close();
  await log.audit.close();
  await log.db.$disconnect();
}
