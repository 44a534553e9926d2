import { execFile } from "node:child_process";
import { chmod, cp, mkdir, mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { ContainerSpec } from "../server/policy/compile-container-spec";
import { runCli } from "../test/run-cli";
import { cliEnvOf, loginToPanel, type RunningPanel } from "../test/start-panel";

const exec = promisify(execFile);

/** The `podman run` flags that give the same container as the panel's create body. */
export function bareRunArgs(spec: ContainerSpec, dir: string, name: string, idBase: number): string[] {
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

/**
 * A `coder` agent made by the panel, and a copy of its files for a bare `podman run` of the same
 * container (the baseline benches measure the panel against).
 */
export async function prepareBareAgent(panel: RunningPanel, agent: string) {
  const env = cliEnvOf(panel);
  const build = await runCli(["images", "build"], env);
  if (build.code !== 0) throw new Error(`image build failed: ${build.stderr}`);
  const created = await runCli(["agents", "create", "--template", "coder", "--name", agent], env);
  if (created.code !== 0) throw new Error(created.stderr);
  const agentDir = join(panel.home, "agents", agent);
  const spec = JSON.parse(await readFile(join(agentDir, "container-spec.json"), "utf8")) as ContainerSpec;
  const bareDir = await mkdtemp(join(tmpdir(), "claw-bench-bare-"));
  await cp(agentDir, bareDir, { recursive: true });
  for (const dir of ["workspace", "state", "run/ingress", "run/egress"])
    await mkdir(join(bareDir, dir), { recursive: true });
  // As the panel does at start: the config readable by the agent's uid inside.
  await chmod(join(bareDir, "openclaw.json"), 0o644);
  const podmanEnv = { ...process.env, CONTAINERS_CONF: join(panel.home, "containers.conf") };
  return {
    agentDir,
    bareDir,
    spec,
    /** Starts the bare container from a fixed id range of its own; resolves when Podman has it running. */
    runBare: (name: string, idBase = 2_147_483_647 + 65_536 * 8) =>
      exec("podman", bareRunArgs(spec, bareDir, name, idBase), { env: podmanEnv }),
    removeBare: (name: string) =>
      exec("podman", ["rm", "-f", "-t", "2", name], { env: podmanEnv }).catch(() => {}),
  };
}

/** A logged-in session's cookie and the agent's Gateway port, as the browser gets them. */
export async function panelGateway(panel: RunningPanel, agent: string) {
  const login = await loginToPanel(panel, await panel.token());
  const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const answer = await fetch(`${panel.url}/api/trpc/agents.gateway`, {
    method: "POST",
    headers: { cookie, "x-claw-csrf": "1", "content-type": "application/json" },
    body: JSON.stringify({ name: agent }),
  });
  if (!answer.ok) throw new Error(`agents.gateway: ${answer.status} ${await answer.text()}`);
  const { port, path } = ((await answer.json()) as { result: { data: { port: number; path: string } } })
    .result.data;
  return { cookie, port, path };
}
