/**
 * What the model gateway costs a model request: a 1 KB answer's latency and a streamed 1 MB
 * answer's throughput, through the gateway (the client → a relay like the container's
 * claw-relay.mjs → the panel's Unix socket → the gateway, which adds the key, meters, and writes the
 * usage row and the audit event → the model server) against the same requests sent to the model
 * server directly (baseline), in one run, alternating rounds. As in real use, the client (with its
 * relay), the gateway and the model server are three processes (bench/model-gateway-peer.mjs is the
 * other two); the model server is a local fake of the Messages API.
 * Goals (issue 17): ≤ 1.1× latency for the 1 KB answer, ≥ 0.9× throughput on the 1 MB stream.
 * BENCH_MODEL_REQUESTS (300), BENCH_MODEL_STREAMS (10) and BENCH_MODEL_ROUNDS (3) set the sizes.
 */
import { type ChildProcess, fork } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestAuditLog } from "../server/audit/audit-test-log";
import { createModelGateways } from "../server/models/model-gateways";
import { modelPlaceholderKey } from "../server/policy/model-route";
import { createSecretStore } from "../server/secrets/secret-store";

const requests = Number(process.env.BENCH_MODEL_REQUESTS ?? 300);
const streams = Number(process.env.BENCH_MODEL_STREAMS ?? 10);
const rounds = Number(process.env.BENCH_MODEL_ROUNDS ?? 3);
const key = "sk-ant-api03-bench-key-0123456789";
const peer = new URL("./model-gateway-peer.mjs", import.meta.url).pathname;

type Measured = { latencyMs: number; bytes: number; mbps: number };

function start(role: "server" | "client"): Promise<{ child: ChildProcess; hello: Record<string, number> }> {
  const child = fork(peer, [role, key], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  return new Promise((resolve, reject) => {
    child.once("message", (hello) => resolve({ child, hello: hello as Record<string, number> }));
    child.once("exit", (code) => reject(new Error(`the bench's ${role} exited (${code})`)));
  });
}

function measure(client: ChildProcess, target: { port: number } | { socketPath: string }, apiKey: string) {
  return new Promise<Measured>((resolve) => {
    client.once("message", (answer) => resolve(answer as Measured));
    client.send({ ...target, apiKey, requests, streams });
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

export async function run() {
  const log = await createTestAuditLog();
  const dir = await mkdtemp(join(tmpdir(), "claw-bench-model-"));
  const secrets = createSecretStore({ dir: join(dir, "secrets"), audit: log.audit });
  await secrets.set("anthropic-api-key", key, "cli");
  const server = await start("server");
  const client = await start("client");
  const modelPort = server.hello.port ?? 0;
  const gateways = createModelGateways({ db: log.db, audit: log.audit, secrets, overrides: new Map() });
  const socketPath = join(dir, "agent", "run", "model", "model.sock");
  await gateways.ensure({ agent: "bench" }, socketPath, async () => ({
    provider: "anthropic",
    model: "claude-bench",
    upstream: `http://127.0.0.1:${modelPort}`,
    secret: "anthropic-api-key",
    budget: { tokensPerDay: null, requestsPerMinute: null },
  }));
  try {
    const direct: Measured[] = [];
    const gateway: Measured[] = [];
    for (let round = 0; round < rounds; round++) {
      direct.push(await measure(client.child, { port: modelPort }, key));
      gateway.push(await measure(client.child, { socketPath }, modelPlaceholderKey));
    }
    const expected = streams * (server.hello.streamBytes ?? 0);
    for (const sample of [...direct, ...gateway])
      if (sample.bytes !== expected) throw new Error(`streamed ${sample.bytes} bytes, expected ${expected}`);
    const d = { latency: median(direct.map((s) => s.latencyMs)), mbps: median(direct.map((s) => s.mbps)) };
    const g = { latency: median(gateway.map((s) => s.latencyMs)), mbps: median(gateway.map((s) => s.mbps)) };
    const metered = await log.db.modelRequest.count({ where: { agent: "bench" } });
    console.log(
      `${rounds} rounds of ${requests} requests with a 1 KB answer and ${streams} streamed ${((server.hello.streamBytes ?? 0) / 1e6).toFixed(2)} MB answers; ${metered} requests through the gateway metered and audited`,
    );
    console.log("| path | 1 KB answer, median ms | 1 MB stream, MB/s |");
    console.log("|---|---|---|");
    console.log(`| direct to the model server (baseline) | ${d.latency.toFixed(3)} | ${d.mbps.toFixed(0)} |`);
    console.log(`| through the model gateway | ${g.latency.toFixed(3)} | ${g.mbps.toFixed(0)} |`);
    console.log(
      `| ratio | ${(g.latency / d.latency).toFixed(2)}× (+${(g.latency - d.latency).toFixed(2)} ms; goal ≤ 1.1×) | ${(g.mbps / d.mbps).toFixed(2)}× (goal ≥ 0.9×) |`,
    );
  } finally {
    server.child.kill();
    client.child.kill();
    await gateways.closeAll();
    await log.audit.close();
    await log.db.$disconnect();
  }
}
