// The crash suite: the real panel, SIGKILLed at fault points inside create, start, stop, delete,
// re-lock, a job's start and an audit burst (CLAW_FAULT_POINT, server/fault-points.ts), or at a
// seeded moment where a timed kill is the point. After each restart on the same CLAW_HOME: no half
// agent, no container running unaudited or unchecked, no orphan, `claw audit verify` passes, and the
// operation can be done again.
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { readdir, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { startFakeAnthropic } from "./fake-anthropic";
import { writeTestJobTemplate } from "./job-templates";
import { runCli } from "./run-cli";
import { panelClient, projectRoot, type RunningPanel, startPanel } from "./start-panel";
import { waitFor } from "./wait-for";

const exec = promisify(execFile);
const seed = Number(process.env.CLAW_CRASH_SEED ?? Math.floor(Math.random() * 1_000_000));
const apiHost = "fake-anthropic.test";
const apiKey = `sk-ant-api03-${randomBytes(24).toString("base64url")}`;

/** mulberry32: the timed kills' moments, repeatable from the seed. */
function seeded(start: number) {
  let state = start >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

type PodmanContainer = { Id: string; Names: string[]; State: string; Labels: Record<string, string> | null };
type Event = { id: number; action: string; agent: string | null; details: Record<string, unknown> };

describe(`the panel SIGKILLed mid-operation recovers on restart (seed ${seed})`, () => {
  const random = seeded(seed);
  const suffix = randomBytes(3).toString("hex");
  const name = (what: string) => `${what}-${suffix}`;
  let home = "";
  let panel: RunningPanel | undefined;
  const fake = startFakeAnthropic({ apiKey });
  const panelEnv = (point?: string) => ({
    CLAW_EGRESS_RESOLVE: `${apiHost}=127.0.0.1`,
    ...(point ? { CLAW_FAULT_POINT: point } : {}),
  });
  const homeId = () => createHash("sha256").update(home).digest("hex").slice(0, 12);
  const cli = (args: string[], input?: string) => runCli(args, { CLAW_HOME: home }, input);
  const ok = async (args: string[], input?: string) => {
    const run = await cli(args, input);
    expect(run.code, `claw ${args.join(" ")} (seed ${seed}): ${run.stderr}`).toBe(0);
    return run.stdout;
  };

  afterAll(async () => {
    panel?.process.kill("SIGKILL");
    if (home) {
      const { stdout } = await exec("podman", ["ps", "-aq", "--filter", `label=claw.home=${homeId()}`]).catch(
        () => ({ stdout: "" }),
      );
      for (const id of stdout.split("\n").filter(Boolean))
        await exec("podman", ["rm", "-f", id]).catch(() => {});
      await rm(dirname(home), { recursive: true, force: true });
    }
    await (await fake).close();
  });

  /** Starts the panel on the suite's home, armed with the next fault point (or none). */
  async function boot(point?: string) {
    panel = await startPanel({ ...(home ? { home } : {}), env: panelEnv(point) });
    home = panel.home;
    return panel;
  }

  /** Runs `trigger` on a panel armed at `point`; the panel must die of SIGKILL there. */
  async function crash(
    point: string | undefined,
    trigger: (client: ReturnType<typeof panelClient>) => unknown,
  ) {
    const running = panel as RunningPanel;
    const died = new Promise<NodeJS.Signals | null>((resolve) =>
      running.process.exitCode !== null || running.process.signalCode !== null
        ? resolve(running.process.signalCode)
        : running.process.once("exit", (_code, signal) => resolve(signal)),
    );
    const answer = Promise.resolve()
      .then(() => trigger(panelClient(running)))
      .catch((error: unknown) => error);
    const signal = await Promise.race([
      died,
      new Promise((resolve) => setTimeout(() => resolve("still running after 120 s"), 120_000)),
    ]);
    expect(signal, `${point ?? "timed kill"} (seed ${seed}):\n${running.output().slice(-3000)}`).toBe(
      "SIGKILL",
    );
    if (point) expect(running.output()).toContain(`fault point ${point} reached`);
    await answer;
  }

  /** Kills the panel after `ms`, wherever it is (the suite's timed kills). */
  function killAfter(ms: number) {
    const running = panel as RunningPanel;
    setTimeout(() => running.process.kill("SIGKILL"), ms);
  }

  async function events(agent?: string): Promise<Event[]> {
    const client = panelClient(panel as RunningPanel);
    const page = await client.audit.list.query({ filter: agent ? { agent } : {}, limit: 200 });
    return page.events as Event[];
  }

  async function containers(): Promise<PodmanContainer[]> {
    const { stdout } = await exec("podman", [
      "ps",
      "-a",
      "--filter",
      `label=claw.home=${homeId()}`,
      "--format",
      "json",
    ]);
    return JSON.parse(stdout || "[]") as PodmanContainer[];
  }

  /** What every restart must leave, whatever the crash cut short. */
  async function invariants(context: string) {
    const client = panelClient(panel as RunningPanel);
    // The first sweep with Podman comes after recovery has looked at every container.
    const list = await waitFor("the first status sweep", async () => {
      const current = await client.agents.list.query();
      return current.podman.reachable && current.sweptAt ? current : undefined;
    });
    const why = `${context} (seed ${seed})`;
    const folders = (await readdir(join(home, "agents")).catch(() => [] as string[])).sort();
    expect(
      folders.filter((folder) => folder.startsWith(".")),
      why,
    ).toEqual([]);
    expect(folders, why).toEqual(list.agents.map((agent) => agent.name).sort());
    expect(
      list.orphans.filter((orphan) => orphan.agent !== ""),
      why,
    ).toEqual([]);

    for (const container of await containers()) {
      const labels = container.Labels ?? {};
      const agent = labels["claw.agent"];
      const job = labels["claw.job"];
      expect(container.State, `${container.Names[0]}: ${why}`).not.toBe("created");
      if (agent) {
        expect(
          list.agents.map((row) => row.name),
          `${container.Names[0]} is an orphan: ${why}`,
        ).toContain(agent);
        if (container.State !== "running") continue;
        const checked = (await events(agent)).find(
          (event) =>
            ["agent_started", "agent_adopted"].includes(event.action) &&
            event.details.containerId === container.Id &&
            event.details.conformance === "passed",
        );
        expect(checked, `${container.Names[0]} runs unchecked: ${why}`).toBeDefined();
      } else if (job) {
        const row = await client.jobs.get.query({ id: job });
        if (container.State === "running") expect(row.status, `job ${job}: ${why}`).toBe("running");
        const started = (
          await client.audit.list.query({ filter: { action: "job_started" }, limit: 200 })
        ).events.find((event) => (event.details as Record<string, unknown>).containerId === container.Id);
        if (container.State === "running")
          expect((started?.details as Record<string, unknown>)?.conformance, `job ${job}: ${why}`).toBe(
            "passed",
          );
      }
    }
    const verify = await cli(["audit", "verify"]);
    expect(verify.code, `audit verify after ${why}: ${verify.stdout}${verify.stderr}`).toBe(0);
  }

  /** Whether a fault point is in place in a file of server/agents/ (some are placed by others). */
  const placed = (file: string, point: string) =>
    readFileSync(join(projectRoot, "server", "agents", file), "utf8").includes(`faultPoint("${point}")`);

  const lastAction = async (agent: string, actions: string[]) =>
    (await events(agent)).find((event) => actions.includes(event.action))?.action;

  it(
    "at every fault point, and at timed kills mid-stop and mid-audit-burst",
    async () => {
      const [c1, c2, c3] = [name("crash-a"), name("crash-b"), name("crash-c")];

      // create, cut short before its temp folder became the agent's: the temp folder goes.
      await boot("create:temp-written");
      await writeTestJobTemplate(home, "quick", { idleTimeoutSeconds: 20 });
      await ok(
        ["jobs", "config", "--base-url", `http://${apiHost}:${(await fake).port}`, "--api-key-stdin"],
        apiKey,
      );
      await crash("create:temp-written", (client) =>
        client.agents.create.mutate({ name: c1, template: "reviewer" }),
      );
      expect(
        (await readdir(join(home, "agents"))).some((entry) => entry.startsWith(`.creating-${c1}-`)),
      ).toBe(true);
      await boot("start:container-created");
      await invariants("create:temp-written");
      expect(await lastAction(c1, ["agent_create_abandoned"])).toBe("agent_create_abandoned");
      await ok(["agents", "create", "--template", "reviewer", "--name", c1]);

      // start, cut short between create and start: the created container is removed; start again works.
      await crash("start:container-created", (client) => client.agents.start.mutate({ name: c1 }));
      expect((await containers()).find((c) => c.Names.includes(`claw-agent-${c1}`))?.State).toBe("created");
      await boot("create:folder-renamed");
      await invariants("start:container-created");
      expect(await lastAction(c1, ["agent_start_interrupted"])).toBe("agent_start_interrupted");
      await ok(["agents", "start", c1, "--no-wait"]);

      // create, cut short between the folder and the row: the create is finished from its signed lock.
      await crash("create:folder-renamed", (client) =>
        client.agents.create.mutate({ name: c2, template: "reviewer" }),
      );
      await boot("start:container-started");
      await invariants("create:folder-renamed");
      expect(await lastAction(c2, ["agent_create_recovered"])).toBe("agent_create_recovered");
      await ok(["policy", "validate", c2]);

      // start, cut short after the container started and before its check: adopted only once checked.
      await crash("start:container-started", (client) => client.agents.start.mutate({ name: c2 }));
      await boot("delete:container-removed");
      await invariants("start:container-started");
      const adopted = (await events(c2)).find((event) => event.action === "agent_adopted");
      expect(adopted?.details).toMatchObject({ conformance: "passed" });
      expect(
        (await panelClient(panel as RunningPanel).agents.list.query()).agents.find((a) => a.name === c2)?.live
          ?.state,
      ).toBe("running");

      // delete, cut short after its running container was removed: the row and folder stay, the
      // removal is recorded, and delete again finishes it.
      await crash("delete:container-removed", (client) =>
        client.agents.delete.mutate({ name: c2, force: true }),
      );
      await boot("create:row-committed");
      await invariants("delete:container-removed");
      expect(await lastAction(c2, ["agent_removed_while_down"])).toBe("agent_removed_while_down");
      await ok(["agents", "delete", c2]);

      // create, cut short right after its row committed: a whole agent.
      await crash("create:row-committed", (client) =>
        client.agents.create.mutate({ name: c3, template: "reviewer" }),
      );
      await boot("delete:folder-trashed");
      await invariants("create:row-committed");
      expect(await lastAction(c3, ["agent_created"])).toBe("agent_created");

      // delete, cut short after its folder went to the trash: the row goes too; the name is free.
      await crash("delete:folder-trashed", (client) => client.agents.delete.mutate({ name: c3 }));
      await boot("job:container-created");
      await invariants("delete:folder-trashed");
      expect((await events(c3)).find((event) => event.action === "agent_deleted")?.details).toMatchObject({
        recovered: true,
      });
      await ok(["agents", "create", "--template", "reviewer", "--name", c3]);
      await ok(["agents", "delete", c3]);

      // A job's start, cut short after its container was created; then its restart by recovery is
      // cut short after the container started (before its check). Each time the container goes and
      // the job starts again; the third launch runs it to the end.
      let jobId = "";
      await crash("job:container-created", async (client) => {
        jobId = (await client.jobs.start.mutate({ prompt: "say hello", template: "quick" })).jobId;
      });
      await boot("job:container-started");
      await crash("job:container-started", () => {});
      await boot();
      await invariants("job:container-created, then job:container-started");
      const job = await waitFor(
        "the job to finish after two crashed launches",
        async () => {
          const row = await panelClient(panel as RunningPanel).jobs.get.query({ id: jobId });
          return ["completed", "failed", "cancelled"].includes(row.status) ? row : undefined;
        },
        180_000,
      );
      expect(job.status, JSON.stringify(job)).toBe("completed");
      const jobEvents = (
        await panelClient(panel as RunningPanel).audit.list.query({ filter: { text: jobId }, limit: 200 })
      ).events;
      expect(jobEvents.filter((event) => event.action === "job_start_interrupted")).toHaveLength(2);
      expect(jobEvents.filter((event) => event.action === "job_started")).toHaveLength(1);

      // stop, killed at a seeded moment while its container is being stopped: after the restart it
      // is either adopted (checked) and stopped again, or recorded as stopped while the panel was down.
      const stopDelay = Math.round(50 + random() * 600);
      await crash(undefined, async (client) => {
        killAfter(stopDelay);
        await client.agents.stop.mutate({ name: c1 });
      });
      await boot();
      await invariants(`a kill ${stopDelay} ms into a stop`);
      const live = (await panelClient(panel as RunningPanel).agents.list.query()).agents.find(
        (a) => a.name === c1,
      )?.live;
      if (live?.state === "running") await ok(["agents", "stop", c1]);
      await ok(["agents", "start", c1, "--no-wait"]);

      // The points in stopAgent and relockAgent are placed by those functions' owners; until then
      // the stop is killed by time alone (above) and the re-lock is left out.
      if (placed("agent-lifecycle.ts", "stop:container-stopped")) {
        await panel?.stop();
        await boot("stop:container-stopped");
        await crash("stop:container-stopped", (client) => client.agents.stop.mutate({ name: c1 }));
        await boot();
        await invariants("stop:container-stopped");
        expect(await lastAction(c1, ["agent_stopped", "agent_exited_while_down"])).toBeDefined();
        await ok(["agents", "start", c1, "--no-wait"]);
      }
      if (placed("agent-policy.ts", "relock:lock-written")) {
        await panel?.stop();
        await boot("relock:lock-written");
        await crash("relock:lock-written", (client) => client.agents.relock.mutate({ name: c1 }));
        await boot();
        await invariants("relock:lock-written");
        expect(await lastAction(c1, ["policy_relock_recovered"])).toBe("policy_relock_recovered");
        await ok(["policy", "relock", c1]);
      }

      // An audit burst, killed at a seeded moment: the chain and its checkpoints hold.
      const burstDelay = Math.round(100 + random() * 1500);
      await crash(undefined, async (client) => {
        killAfter(burstDelay);
        await Promise.allSettled(
          Array.from({ length: 300 }, () => client.agents.validate.mutate({ name: c1 })),
        );
      });
      await boot();
      await invariants(`a kill ${burstDelay} ms into an audit burst`);
      await ok(["policy", "validate", c1]);
      await ok(["agents", "stop", c1]);
    },
    15 * 60_000,
  );
});
