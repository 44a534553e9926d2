// The Podman fault suite: the real panel on a Podman service of this suite's own (same storage, so
// the images are there; its own socket, so no other test's Podman is touched), which the suite kills,
// hangs (SIGSTOP) and takes away; then an agent's container killed and removed behind the panel's
// back. Each time: clear errors within seconds, nothing acted on without an audit event, no verdict
// or lock made of an outage, and full recovery.
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { access, chmod, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decideHostWorkaround, gatherHostFacts } from "../server/podman/host-workarounds";
import { cleanPodmanEnv } from "../server/podman/podman-test-env";
import { type PodmanServiceProcess, startPodmanService } from "../server/podman/start-podman-service";
import { runCli } from "./run-cli";
import { type PanelClient, panelClient, type RunningPanel, startPanel } from "./start-panel";
import { waitFor } from "./wait-for";

const exec = promisify(execFile);
const suffix = randomBytes(3).toString("hex");
const podmanCli = (args: string[]) => exec("podman", args, { env: cleanPodmanEnv() });

type Event = { id: number; category: string; action: string; agent: string | null; details: unknown };

/** Whether something listens on a Unix socket (the agent's egress proxy). */
const listening = (socketPath: string) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(socketPath);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

describe("Podman killed, hung and gone; a container killed and removed behind the panel's back", () => {
  let dir: string;
  let socketPath: string;
  let confPath: string | undefined;
  let service: PodmanServiceProcess | undefined;
  let panel: RunningPanel;
  let client: PanelClient;
  let env: Record<string, string>;
  const running = `run-${suffix}`;
  const idle = `idle-${suffix}`;
  const never = `never-${suffix}`;
  const measured: Record<string, number> = {};

  /** This suite's own `podman system service`, on its own socket, with the host's workaround. */
  const startService = async () => {
    service = await startPodmanService({
      socketPath,
      pidFile: join(dir, "podman-service.pid"),
      containersConf: confPath,
      env: cleanPodmanEnv(),
    });
  };
  const cli = (args: string[]) => runCli(args, env);
  const timed = async <T>(label: string, run: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await run();
    } finally {
      measured[label] = Math.round(performance.now() - started);
    }
  };
  const events = async (): Promise<Event[]> =>
    (await client.audit.list.query({ filter: {}, limit: 200 })).events as Event[];
  const lastEventId = async () => (await events())[0]?.id ?? 0;
  // What the running agent does on its own (its egress, allowed or denied) goes on whatever Podman does.
  const eventsAfter = async (id: number) =>
    (await events()).filter((event) => event.id > id && event.category !== "egress");
  const liveOf = async (name: string) => {
    const list = await client.agents.list.query();
    return { list, live: list.agents.find((agent) => agent.name === name)?.live ?? null };
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "claw-fault-podman-"));
    await chmod(dir, 0o700);
    socketPath = join(dir, "podman.sock");
    const workaround = decideHostWorkaround(await gatherHostFacts());
    if (workaround.conf) {
      confPath = join(dir, "containers.conf");
      await writeFile(confPath, workaround.conf);
    }
    await startService();
    panel = await startPanel({ env: { CONTAINER_HOST: `unix://${socketPath}` } });
    client = panelClient(panel);
    env = { CLAW_HOME: panel.home };
  });

  afterAll(async () => {
    if (service?.isRunning()) process.kill(service.pid, "SIGCONT");
    await panel?.stop();
    if (panel) {
      const homeId = createHash("sha256").update(panel.home).digest("hex").slice(0, 12);
      const { stdout } = await podmanCli(["ps", "-aq", "--filter", `label=claw.home=${homeId}`]).catch(
        () => ({
          stdout: "",
        }),
      );
      for (const id of stdout.split("\n").filter(Boolean)) await podmanCli(["rm", "-f", id]).catch(() => {});
      await rm(join(panel.home, ".."), { recursive: true, force: true });
    }
    await service?.stop();
    await rm(dir, { recursive: true, force: true });
    console.info(`fault-podman measurements (ms): ${JSON.stringify(measured)}`);
  });

  it("uses this suite's socket, and 20 concurrent system.status calls all answer reachable", async () => {
    const status = await client.system.status.query();
    expect(status.podman).toMatchObject({ reachable: true, socketPath, source: "CONTAINER_HOST" });
    expect(await exists(join(panel.home, "run", "podman.sock"))).toBe(false);

    const answers = await timed("20 concurrent system.status", () =>
      Promise.all(Array.from({ length: 20 }, () => client.system.status.query())),
    );
    expect(answers.map((answer) => answer.podman.reachable)).toEqual(Array(20).fill(true));
    const many = await timed("200 concurrent system.status", () =>
      Promise.all(Array.from({ length: 200 }, () => client.system.status.query())),
    );
    expect(many.every((answer) => answer.podman.reachable)).toBe(true);

    for (const name of [running, idle]) {
      const created = await cli(["agents", "create", "--template", "coder", "--name", name]);
      expect(created.code, created.stderr).toBe(0);
    }
    const started = await cli(["agents", "start", running, "--no-wait"]);
    expect(started.code, started.stderr).toBe(0);
    expect(await listening(join(panel.home, "agents", running, "run", "egress", "proxy.sock"))).toBe(true);
  });

  it("hung (SIGSTOP): exec, stop and agents.list answer within seconds with a clear error and the staleness; then recovers", async () => {
    const before = await lastEventId();
    const stoppedAt = new Date();
    process.kill((service as PodmanServiceProcess).pid, "SIGSTOP");
    try {
      const execRun = await timed("exec while hung", () => cli(["exec", running, "--", "true"]));
      expect(execRun.code).not.toBe(0);
      expect(execRun.stderr).toMatch(/Podman is not answering at .*podman\.sock/);
      expect(execRun.stderr).toMatch(/podman info/);
      const stopRun = await timed("stop while hung", () => cli(["agents", "stop", running]));
      expect(stopRun.code).not.toBe(0);
      expect(stopRun.stderr).toMatch(/Podman is not answering/);

      // The sweep times out too: the states are marked unknown, with when they were last fresh.
      const { list, live } = await timed("agents.list marked unknown", () =>
        waitFor("agents.list to say Podman is not answering", async () => {
          const seen = await liveOf(running);
          return seen.live?.state === "unknown" ? seen : undefined;
        }),
      );
      expect(list.podman).toMatchObject({ reachable: false, error: expect.stringMatching(/not answering/) });
      expect(new Date(list.freshAt ?? 0).getTime()).toBeLessThanOrEqual(stoppedAt.getTime());
      expect(live?.note).toMatch(/^Unknown: Podman is not answering.*Last known: running, as of /);
      const status = await timed("system.status while hung", () => client.system.status.query());
      expect(status.podman).toMatchObject({ reachable: false, error: { message: /not answering/ } });
    } finally {
      process.kill((service as PodmanServiceProcess).pid, "SIGCONT");
    }
    // Nothing was done, so nothing was audited as done.
    expect((await eventsAfter(before)).map((event) => event.action)).toEqual([]);

    await waitFor("agents.list to be fresh again", async () => {
      const { list, live } = await liveOf(running);
      return list.podman.reachable && live?.state === "running" ? true : undefined;
    });
    const again = await cli(["exec", running, "--", "node", "-e", "console.log('back')"]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain("back");
  });

  it("killed: a clear 'not reachable' (no other Podman started in its place), then recovers when it is back", async () => {
    const killed = service as PodmanServiceProcess;
    process.kill(killed.pid, "SIGKILL");
    await killed.exited;
    // A status from before the kill (a probe the hang had held) may still be cached for a moment.
    await waitFor("system.status to say Podman is not reachable", async () => {
      const status = await client.system.status.query();
      return status.podman.error?.message.startsWith("Podman is not reachable") ? status : undefined;
    });
    const status = await client.system.status.query();
    expect(status.podman.error?.message).toMatch(/^Podman is not reachable at .*podman\.sock/);
    expect(status.podman.error?.fix).toMatch(/podman system service/);
    expect(status.podman.socketPath).toBe(socketPath);
    const execRun = await cli(["exec", running, "--", "true"]);
    expect(execRun.code).not.toBe(0);
    expect(execRun.stderr).toMatch(/Podman is not reachable/);
    await waitFor("agents.list to mark the agent unknown", async () => {
      const { live } = await liveOf(running);
      return live?.state === "unknown" ? true : undefined;
    });
    expect(await exists(join(panel.home, "run", "podman.sock"))).toBe(false);

    await startService();
    const back = await timed("recovery after restart", () =>
      waitFor("agents.list to see the agent running again", async () => {
        const { list, live } = await liveOf(running);
        return list.podman.reachable && live?.state === "running" ? true : undefined;
      }),
    );
    expect(back).toBe(true);
    expect((await client.system.status.query()).podman).toMatchObject({ reachable: true, socketPath });
    const again = await cli(["exec", running, "--", "node", "-e", "console.log('back')"]);
    expect(again.code, again.stderr).toBe(0);
  });

  it("gone: create, start and re-lock say 'Podman is not reachable'; no image_drift, no lock signed 'unbuilt', nothing half-made", async () => {
    const before = await lastEventId();
    const lockPath = join(panel.home, "agents", idle, "policy.lock.json");
    const lockBefore = await readFile(lockPath, "utf8");
    expect(lockBefore).not.toContain('"unbuilt"');
    await (service as PodmanServiceProcess).stop();
    expect(await exists(socketPath)).toBe(false);

    const create = await cli(["agents", "create", "--template", "coder", "--name", never]);
    expect(create.code).not.toBe(0);
    expect(create.stderr).toMatch(/claw: Podman is not reachable at .*podman\.sock \(/);
    expect(create.stderr).toMatch(/podman system service/);
    const folders = await readdir(join(panel.home, "agents"));
    expect(folders.filter((folder) => folder.includes(never))).toEqual([]);

    const start = await cli(["agents", "start", idle, "--no-wait"]);
    expect(start.code).not.toBe(0);
    expect(start.stderr).toMatch(/claw: Podman is not reachable/);
    expect(start.stderr).not.toMatch(/image_drift|lock does not match/);

    const relock = await cli(["policy", "relock", idle]);
    expect(relock.code).not.toBe(0);
    expect(relock.stderr).toMatch(/claw: Podman is not reachable/);
    expect(await readFile(lockPath, "utf8")).toBe(lockBefore);

    const validate = await cli(["policy", "validate", idle]);
    expect(validate.stderr).toMatch(/claw: Podman is not reachable/);

    const after = await eventsAfter(before);
    expect(after.map((event) => event.action)).toEqual([]);
    const list = await client.agents.list.query();
    expect(list.agents.map((agent) => agent.name)).not.toContain(never);
    expect(list.agents.every((agent) => agent.imageDigest !== "unbuilt")).toBe(true);

    // Back: the same operations work, locked to the image as built.
    await startService();
    await waitFor("Podman reachable again", async () =>
      (await client.system.status.query()).podman.reachable ? true : undefined,
    );
    const valid = await cli(["policy", "validate", idle]);
    expect(valid.code, valid.stdout + valid.stderr).toBe(0);
    const created = await cli(["agents", "create", "--template", "coder", "--name", never]);
    expect(created.code, created.stderr).toBe(0);
    const made = (await client.agents.list.query()).agents.find((agent) => agent.name === never);
    expect(made?.imageDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it("a container killed, then removed, behind the panel's back: audited, shown, and its egress proxy closed", async () => {
    const container = `claw-agent-${running}`;
    const proxySocket = join(panel.home, "agents", running, "run", "egress", "proxy.sock");
    expect(await listening(proxySocket)).toBe(true);
    const before = await lastEventId();

    await podmanCli(["kill", container]);
    const killedAt = performance.now();
    const live = await waitFor("the sweep to see the kill", async () => {
      const seen = (await liveOf(running)).live;
      return seen?.state === "exited" ? seen : undefined;
    });
    expect(live.note).toMatch(/Exited on its own with code/);
    await waitFor("the egress proxy to stop listening", async () =>
      (await listening(proxySocket)) ? undefined : true,
    );
    measured["egress proxy closed after podman kill"] = Math.round(performance.now() - killedAt);
    const exited = await waitFor("agent_exited in the audit log", async () =>
      (await eventsAfter(before)).find((event) => event.action === "agent_exited" && event.agent === running),
    );
    expect(exited).toBeDefined();

    // Podman 4.3 may still hold the killed container's shm for a moment ("device or resource busy").
    await waitFor("podman rm to remove the killed container", () =>
      podmanCli(["rm", "-f", container]).then(
        () => true,
        (error: Error) => {
          if (!/resource busy/.test(error.message)) throw error;
          return undefined;
        },
      ),
    );
    const missing = await waitFor("the sweep to see the removal", async () => {
      const seen = (await liveOf(running)).live;
      return seen?.state === "missing" ? seen : undefined;
    });
    expect(missing.note).toMatch(/removed outside the panel/);
    await waitFor("agent_container_removed in the audit log", async () =>
      (await eventsAfter(before)).find(
        (event) => event.action === "agent_container_removed" && event.agent === running,
      ),
    );

    // And the log as a whole still verifies.
    const verify = await cli(["audit", "verify"]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  });
});
