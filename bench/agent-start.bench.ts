/**
 * What the panel adds to starting an agent: the lock check, the create from the locked spec and
 * the conformance check, against a bare `podman run -d` with the same flags and image (baseline),
 * in one run on one machine. Also the time from start until the Gateway answers /readyz.
 */
import { execFile } from "node:child_process";
import { chmod, cp, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { probeGateway } from "../server/agents/gateway-probe";
import type { ContainerSpec } from "../server/policy/compile-container-spec";
import { runCli } from "../test/run-cli";
import { cliEnvOf, startPanel } from "../test/start-panel";

const exec = promisify(execFile);
const runs = Number(process.env.BENCH_RUNS ?? 3);

async function untilReady(socket: string): Promise<number> {
  const started = performance.now();
  while (!(await probeGateway(socket, 1_000))) {
    if (performance.now() - started > 120_000) throw new Error(`no Gateway at ${socket} after 120 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return performance.now() - started;
}

/** The `podman run` flags that give the same container as the panel's create body. */
function bareRunArgs(spec: ContainerSpec, dir: string, name: string, idBase: number): string[] {
  const args = [
    "run",
    "-d",
    "--pull=never",
    "--name",
    name,
    "--hostname",
    spec.hostname,
    "--user",
    spec.user,
  ];
  args.push("--uidmap", `0:${idBase}:65536`, "--gidmap", `0:${idBase}:65536`);
  args.push(
    "--cap-drop",
    "ALL",
    "--security-opt",
    "no-new-privileges",
    "--read-only",
    "--network",
    spec.network.mode,
  );
  for (const [target, options] of Object.entries(spec.tmpfs)) args.push("--tmpfs", `${target}:${options}`);
  args.push(
    "--memory",
    String(spec.resources.memoryBytes),
    "--memory-swap",
    String(spec.resources.memorySwapBytes),
  );
  args.push(
    "--cpus",
    String(spec.resources.nanoCpus / 1e9),
    "--pids-limit",
    String(spec.resources.pidsLimit),
  );
  for (const mount of spec.mounts) {
    args.push(
      "-v",
      `${join(dir, mount.source)}:${mount.target}:${mount.readOnly ? "ro" : "rw,U"},nosuid,nodev`,
    );
  }
  for (const [key, value] of Object.entries({ ...spec.env, OPENCLAW_GATEWAY_TOKEN: "bench" })) {
    args.push("-e", `${key}=${value}`);
  }
  args.push("--stop-timeout", String(spec.stopTimeoutSeconds), spec.image.ref);
  return args;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

export async function run() {
  const panel = await startPanel();
  const env = cliEnvOf(panel);
  const agent = `bench-${Date.now().toString(36)}`;
  const bareDir = await mkdtemp(join(tmpdir(), "claw-bench-bare-"));
  const bareName = `claw-bench-bare-${Date.now().toString(36)}`;
  try {
    const build = await runCli(["images", "build"], env);
    if (build.code !== 0) throw new Error(`image build failed: ${build.stderr}`);
    const created = await runCli(["agents", "create", "--template", "coder", "--name", agent], env);
    if (created.code !== 0) throw new Error(created.stderr);
    const agentDir = join(panel.home, "agents", agent);
    const spec = JSON.parse(await readFile(join(agentDir, "container-spec.json"), "utf8")) as ContainerSpec;
    // The bare container gets a copy of the agent's files and a range of its own.
    await cp(agentDir, bareDir, { recursive: true });
    for (const dir of ["workspace", "state", "run/ingress", "run/egress"])
      await mkdir(join(bareDir, dir), { recursive: true });
    // As the panel does at start: the config readable by the agent's uid inside.
    await chmod(join(bareDir, "openclaw.json"), 0o644);
    const bareIdBase = 2_147_483_647 + 65_536 * 8;
    const conf = join(panel.home, "containers.conf");
    const podmanEnv = { ...process.env, CONTAINERS_CONF: conf };

    const bare = { start: [] as number[], ready: [] as number[] };
    const viaPanel = { start: [] as number[], ready: [] as number[] };
    for (let i = 0; i < runs; i++) {
      let t0 = performance.now();
      await exec("podman", bareRunArgs(spec, bareDir, bareName, bareIdBase), { env: podmanEnv });
      const bareStart = performance.now() - t0;
      bare.start.push(bareStart);
      bare.ready.push((await untilReady(join(bareDir, "run", "ingress", "gateway.sock"))) + bareStart);
      await exec("podman", ["rm", "-f", "-t", "2", bareName], { env: podmanEnv }).catch(() => {});

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
      viaPanel.ready.push((await untilReady(join(agentDir, "run", "ingress", "gateway.sock"))) + panelStart);
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
    await runCli(["agents", "delete", agent, "--force"], env).catch(() => {});
    await panel.stop();
    await rm(bareDir, { recursive: true, force: true });
  }
}
