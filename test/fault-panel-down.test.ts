// What happens to agents while the panel is down is found and audited when it starts again: a
// container killed, one removed, one swapped for a container its spec does not describe, and one
// left alone, on real Podman with the real panel stopped in between.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "./run-cli";
import { cliEnvOf, panelClient, projectRoot, type RunningPanel, startPanel } from "./start-panel";
import { waitFor } from "./wait-for";

const exec = promisify(execFile);
type Event = { action: string; outcome: string; details: Record<string, unknown> };

describe("while the panel was down", () => {
  const suffix = randomBytes(3).toString("hex");
  const [killed, removed, swapped, untouched, lost] = [
    "killed",
    "removed",
    "swapped",
    "untouched",
    "lost",
  ].map((what) => `down-${what}-${suffix}`) as [string, string, string, string, string];
  let panel: RunningPanel | undefined;
  let env: Record<string, string> = {};

  let home = "";
  afterAll(async () => {
    await panel?.stop();
    for (const name of [killed, removed, swapped, untouched])
      await exec("podman", ["rm", "-f", `claw-agent-${name}`]).catch(() => {});
    if (home) await rm(dirname(home), { recursive: true, force: true });
  });

  const ok = async (args: string[]) => {
    const run = await runCli(args, env);
    expect(run.code, `claw ${args.join(" ")}: ${run.stderr}`).toBe(0);
    return run.stdout;
  };
  const events = async (agent: string) =>
    (await panelClient(panel as RunningPanel).audit.list.query({ filter: { agent }, limit: 100 }))
      .events as Event[];
  const systemEvents = async (agent: string) =>
    (await events(agent)).filter((event) => ["system"].includes((event as { actor?: string }).actor ?? ""));
  const swept = () =>
    waitFor("the first status sweep", async () => {
      const list = await panelClient(panel as RunningPanel).agents.list.query();
      return list.podman.reachable && list.sweptAt ? list : undefined;
    });
  const liveOf = async (name: string) => (await swept()).agents.find((agent) => agent.name === name)?.live;

  it(
    "audits a container killed, removed or swapped, adopts the one left alone after its check, and says so in the status",
    async () => {
      panel = await startPanel();
      env = cliEnvOf(panel);
      for (const name of [killed, removed, swapped, untouched]) {
        await ok(["agents", "create", "--template", "reviewer", "--name", name]);
        await ok(["agents", "start", name, "--no-wait"]);
      }
      await ok(["agents", "create", "--template", "reviewer", "--name", lost]);
      home = panel.home;
      await panel.stop();
      panel = undefined;

      // Behind the stopped panel's back.
      await rename(join(home, "agents", lost), join(dirname(home), lost));
      await exec("podman", ["kill", `claw-agent-${killed}`]);
      await exec("podman", ["rm", "-f", `claw-agent-${removed}`]);
      const { stdout } = await exec("podman", [
        "inspect",
        `claw-agent-${swapped}`,
        "--format",
        "{{json .Config.Labels}}|{{.ImageName}}",
      ]);
      const [labelsJson, imageName] = stdout.trim().split("|");
      const labels = JSON.parse(labelsJson ?? "{}") as Record<string, string>;
      await exec("podman", ["rm", "-f", `claw-agent-${swapped}`]);
      // Same name and labels, but privileged, writable and with none of the spec's mounts.
      await exec("podman", [
        "run",
        "-d",
        "--name",
        `claw-agent-${swapped}`,
        ...Object.entries(labels).flatMap(([key, value]) => ["--label", `${key}=${value}`]),
        "--privileged",
        // This host cannot raise hard limits to Podman's defaults (ENVIRONMENT.md).
        "--ulimit",
        "nofile=20000:20000",
        "--ulimit",
        "nproc=20000:20000",
        "--network",
        "none",
        "--entrypoint",
        "sleep",
        imageName ?? "",
        "600",
      ]);

      panel = await startPanel({ home });
      env = cliEnvOf(panel);
      await swept();

      const killedEvent = (await events(killed)).find((event) => event.action === "agent_exited_while_down");
      expect(killedEvent).toMatchObject({ outcome: "error", details: { exitCode: 137 } });
      expect(await liveOf(killed)).toMatchObject({
        state: "exited",
        note: expect.stringMatching(/^Stopped while the panel was down \(exit code 137\)\./),
      });

      expect((await events(removed)).map((event) => event.action)).toContain("agent_removed_while_down");
      expect(await liveOf(removed)).toMatchObject({
        state: "missing",
        note: "Its container was removed while the panel was down.",
      });

      const swappedEvents = await events(swapped);
      const adoption = swappedEvents.find((event) => event.action === "agent_adopted");
      expect(adoption).toMatchObject({ outcome: "error", details: { conformance: "failed" } });
      expect(JSON.stringify(adoption?.details.findings)).toContain("privileged");
      expect(swappedEvents.find((event) => event.action === "agent_stopped")?.details).toMatchObject({
        reason: "its running container failed the checks on adoption",
      });
      const { stdout: swappedState } = await exec("podman", [
        "inspect",
        `claw-agent-${swapped}`,
        "--format",
        "{{.State.Running}}",
      ]);
      expect(swappedState.trim()).toBe("false");

      expect((await events(untouched)).find((event) => event.action === "agent_adopted")).toMatchObject({
        outcome: "ok",
        details: { conformance: "passed" },
      });
      expect((await liveOf(untouched))?.state).toBe("running");

      // Another restart has nothing new to say, and the notes stay until the agents start again.
      const before = (await systemEvents(killed)).length + (await systemEvents(removed)).length;
      await panel.stop();
      panel = await startPanel({ home });
      env = cliEnvOf(panel);
      await swept();
      expect((await systemEvents(killed)).length + (await systemEvents(removed)).length).toBe(before);
      expect((await liveOf(removed))?.note).toBe("Its container was removed while the panel was down.");
      await ok(["agents", "start", killed, "--no-wait"]);
      await ok(["agents", "start", removed, "--no-wait"]);
      await ok(["agents", "start", swapped, "--no-wait"]);
      for (const name of [killed, removed, swapped]) {
        const live = await waitFor(`${name} running again`, async () => {
          const current = await liveOf(name);
          return current?.state === "running" ? current : undefined;
        });
        expect(live.note).toBeNull();
      }
      // An agent whose folder went (no trash holds it) is left as it is, and can be deleted and made again.
      // Doctor lists it once its router runs the check (server/doctor/agent-folder-checks.ts).
      if (
        readFileSync(join(projectRoot, "server", "routers", "doctor.ts"), "utf8").includes(
          "checkAgentFolders",
        )
      )
        expect(await ok(["doctor", "--json"])).toContain(`the agent ${lost} has no folder`);
      await ok(["agents", "delete", lost]);
      await ok(["agents", "create", "--template", "reviewer", "--name", lost]);
      await ok(["agents", "delete", lost]);

      const verify = await runCli(["audit", "verify"], env);
      expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    },
    6 * 60_000,
  );
});
