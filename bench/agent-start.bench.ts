/**
 * What the panel adds to starting an agent: the lock check, the create from the locked spec and
 * the conformance check, against a bare `podman run -d` with the same flags and image (baseline),
 * in one run on one machine. Also the time from start until the Gateway answers /readyz.
 */
import { execFile } from "node:child_process";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { probeGateway } from "../server/agents/gateway-probe";
import { createGatewayTunnels } from "../server/agents/gateway-tunnels";
import { runCli } from "../test/run-cli";
import { cliEnvOf, startPanel } from "../test/start-panel";
import { panelGateway, prepareBareAgent } from "./bare-agent";

const exec = promisify(execFile);
const runs = Number(process.env.BENCH_RUNS ?? 3);

async function untilReady(probe: () => Promise<boolean>): Promise<number> {
  const started = performance.now();
  while (!(await probe())) {
    if (performance.now() - started > 120_000) throw new Error("no Gateway after 120 s");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return performance.now() - started;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

export async function run() {
  const panel = await startPanel();
  const env = cliEnvOf(panel);
  const agent = `bench-${Date.now().toString(36)}`;
  const bareName = `claw-bench-bare-${Date.now().toString(36)}`;
  const bareTunnels = createGatewayTunnels();
  let bareDir = "";
  try {
    const prepared = await prepareBareAgent(panel, agent);
    bareDir = prepared.bareDir;
    // The bare container's bridge dials the bench, as it would the panel.
    await bareTunnels.ensure("bare", join(bareDir, "run", "ingress", "gateway.sock"));
    const bare = { start: [] as number[], ready: [] as number[] };
    const viaPanel = { start: [] as number[], ready: [] as number[] };
    for (let i = 0; i < runs; i++) {
      let t0 = performance.now();
      await prepared.runBare(bareName);
      const bareStart = performance.now() - t0;
      bare.start.push(bareStart);
      bare.ready.push(
        (await untilReady(() => probeGateway(() => bareTunnels.claim("bare", 1_000)))) + bareStart,
      );
      await prepared.removeBare(bareName);

      t0 = performance.now();
      const start = await panel.fetch("/api/trpc/agents.start", {
        method: "POST",
        headers: {
          "x-claw-csrf": "1",
          "content-type": "application/json",
        },
        body: JSON.stringify({ name: agent }),
      });
      if (!start.ok) throw new Error(`panel start failed: ${await start.text()}`);
      const panelStart = performance.now() - t0;
      viaPanel.start.push(panelStart);
      const gateway = await panelGateway(panel, agent);
      const readyz = () =>
        fetch(`http://127.0.0.1:${gateway.port}/readyz`, { headers: { cookie: gateway.cookie } }).then(
          (answer) => answer.status === 200,
          () => false,
        );
      viaPanel.ready.push((await untilReady(readyz)) + panelStart);
      const stop = await runCli(["agents", "stop", agent], env);
      if (stop.code !== 0) throw new Error(stop.stderr);
    }

    const row = (name: string, s: { start: number[]; ready: number[] }) =>
      `| ${name} | ${median(s.start).toFixed(0)} | ${(median(s.start) / median(bare.start)).toFixed(2)}× | ${(median(s.ready) / 1000).toFixed(1)} | ${(median(s.ready) / median(bare.ready)).toFixed(2)}× |`;
    console.log(`median of ${runs} runs each`);
    console.log("| start | container up, ms | vs bare | Gateway ready, s | vs bare |");
    console.log("|---|---|---|---|---|");
    console.log(row("bare `podman run -d`, same flags and image (baseline)", bare));
    console.log(row("panel: lock check + create + start + conformance check", viaPanel));
  } finally {
    await exec("podman", ["rm", "-f", bareName]).catch(() => {});
    await bareTunnels.closeAll();
    await runCli(["agents", "delete", agent, "--force"], env).catch(() => {});
    await panel.stop();
    if (bareDir) await rm(bareDir, { recursive: true, force: true });
  }
}
