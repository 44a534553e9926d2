import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { lstat, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { runCli } from "./run-cli";
import { cliEnvOf, loginToPanel, type RunningPanel, startPanel } from "./start-panel";

const exec = promisify(execFile);

/** Runs a shell command inside the agent as the agent's own user, the way a hostile agent would. */
async function asAgent(container: string, script: string) {
  return exec("podman", ["exec", container, "sh", "-c", script]).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({
      code: error.code ?? 1,
      stdout: error.stdout ?? "",
      stderr: error.stderr ?? "",
    }),
  );
}

/** Every process in the container whose command line names the ingress bridge, killed (not this shell). */
const killBridge = `for p in /proc/[0-9]*; do
  pid="\${p#/proc/}"
  if [ "$pid" != "$$" ] && grep -q claw-ingress "$p/cmdline" 2>/dev/null; then kill -9 "$pid"; fi
done; true`;

/**
 * Issue 15, item 1: an agent that swaps its ingress socket for a symlink to a host socket and
 * kills its bridge must not get the panel, with a logged-in user's session, to connect anywhere
 * but the agent's own tunnels. The decoy stands for any socket on the host (Podman's API, another
 * agent's): it must never see a connection.
 */
describe("the agent boundary against a hostile agent", () => {
  let panel: RunningPanel;
  let env: Record<string, string>;
  let decoy: Server;
  let decoyPath = "";
  const decoyConnections: string[] = [];
  const name = `ingress-${randomBytes(3).toString("hex")}`;
  const container = `claw-agent-${name}`;
  let cookie = "";
  let port = 0;

  beforeAll(async () => {
    panel = await startPanel();
    env = cliEnvOf(panel);
    decoyPath = join(panel.home, "decoy.sock");
    decoy = createServer((socket) => {
      socket.once("data", (chunk) => decoyConnections.push(chunk.toString("latin1")));
      socket.end("HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\ndecoy");
    });
    await new Promise<void>((resolve) => decoy.listen(decoyPath, resolve));

    const created = await runCli(["agents", "create", "--template", "coder", "--name", name], env);
    expect(created.code, created.stderr).toBe(0);
    const started = await runCli(["agents", "start", name], env);
    expect(started.code, started.stderr).toBe(0);

    const login = await loginToPanel(panel, await panel.token());
    cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const gateway = await fetch(`${panel.url}/api/trpc/agents.gateway`, {
      method: "POST",
      headers: { cookie, "x-claw-csrf": "1", "content-type": "application/json" },
      body: JSON.stringify({ name }),
    });
    expect(gateway.status).toBe(200);
    port = ((await gateway.json()) as { result: { data: { port: number } } }).result.data.port;
  });

  afterAll(async () => {
    await exec("podman", ["rm", "-f", "-t", "2", container]).catch(() => {});
    await panel?.stop();
    decoy?.close();
    await rm(decoyPath, { force: true });
  });

  const throughGateway = (path: string) =>
    fetch(`http://127.0.0.1:${port}${path}`, { headers: { cookie } }).then(async (answer) => ({
      status: answer.status,
      body: await answer.text(),
    }));

  it("reaches the real Gateway through the panel-owned socket", async () => {
    expect((await throughGateway("/readyz")).status).toBe(200);
    const socket = await lstat(join(panel.home, "agents", name, "run", "ingress", "gateway.sock"));
    expect(socket.isSocket()).toBe(true);
    expect(socket.uid).toBe(process.getuid?.());
  });

  it("cannot replace the socket: the directory is read-only inside", async () => {
    const swap = await asAgent(
      container,
      `ln -sf ${decoyPath} /run/claw/ingress/gateway.sock.new && mv -f /run/claw/ingress/gateway.sock.new /run/claw/ingress/gateway.sock`,
    );
    expect(swap.code).not.toBe(0);
    expect(swap.stderr).toMatch(/Read-only file system/);
    const remove = await asAgent(container, "rm -f /run/claw/ingress/gateway.sock");
    expect(remove.stderr).toMatch(/Read-only file system/);
    expect((await lstat(join(panel.home, "agents", name, "run", "ingress", "gateway.sock"))).isSocket()).toBe(
      true,
    );
  });

  it("with the bridge killed, requests and a WebSocket with a session reach nothing else", async () => {
    // Symlinks everywhere the agent can write, in case the panel looked there.
    await asAgent(
      container,
      `for d in /workspace /home/agent/.openclaw /tmp; do ln -sf ${decoyPath} "$d/gateway.sock"; done; ${killBridge}`,
    );
    // Idle tunnels from the dead bridge are gone once it is; requests fail closed.
    for (const path of ["/v4.0.0/libpod/info", "/_ping", "/readyz"]) {
      const answer = await throughGateway(path);
      expect(answer.status, path).toBe(502);
      expect(answer.body).not.toContain("decoy");
    }
    const ws = await new Promise<number>((resolve) => {
      const socket = new WebSocket(`ws://127.0.0.1:${port}/`, {
        origin: `http://127.0.0.1:${port}`,
        headers: { cookie },
      });
      socket.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
      socket.on("open", () => {
        socket.close();
        resolve(101);
      });
      socket.on("error", () => resolve(0));
    });
    expect(ws).toBe(502);
    expect(decoyConnections).toEqual([]);
  });

  it("a bridge of the agent's own that answers nonsense gets 502s, and the panel stays up", async () => {
    const hostile = `
      const { connect } = require("node:net");
      for (let i = 0; i < 4; i++) {
        const s = connect("/run/claw/ingress/gateway.sock");
        s.once("data", () => s.end(i % 2 ? "HTTP/1.1 999 Odd\\r\\n\\r\\n" : "HTTP/1.1 0 Zero\\r\\n\\r\\n"));
      }
      setTimeout(() => process.exit(0), 20000);`;
    await asAgent(container, `${killBridge}; nohup node -e '${hostile}' >/dev/null 2>&1 &`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    for (let i = 0; i < 4; i++) expect((await throughGateway("/")).status).toBe(502);
    expect((await fetch(`${panel.url}/api/health`)).status).toBe(200);
    expect(decoyConnections).toEqual([]);
  });

  it("a re-lock replaces a planted AGENTS.md directory or link, never following it", async () => {
    const victim = join(panel.home, "victim.txt");
    await writeFile(victim, "untouched\n");
    // A directory (a rename over it fails) holding a link to a file of the host's.
    const plant = await asAgent(
      container,
      `rm -f /workspace/AGENTS.md && mkdir /workspace/AGENTS.md && ln -s ${victim} /workspace/AGENTS.md/x`,
    );
    expect(plant.code, plant.stderr).toBe(0);
    const relock = await runCli(["policy", "relock", name], env);
    expect(relock.code, relock.stderr).toBe(0);
    const verify = await runCli(["policy", "validate", name], env);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    expect(await readFile(victim, "utf8")).toBe("untouched\n");
    const replaced = await lstat(join(panel.home, "agents", name, "workspace", "AGENTS.md"));
    expect(replaced.isFile()).toBe(true);
  });

  it("after the container dies, a start gives the new bridge a fresh socket and the Gateway answers again", async () => {
    await exec("podman", ["kill", container]);
    const started = await runCli(["agents", "start", name], env);
    expect(started.code, started.stderr).toBe(0);
    expect((await throughGateway("/readyz")).status).toBe(200);
    expect(decoyConnections).toEqual([]);
  });
});
