import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./run-cli";
import { cliEnvOf, loginToPanel, type RunningPanel, startPanel } from "./start-panel";
import { waitFor } from "./wait-for";

const exec = promisify(execFile);
const unique = () => randomBytes(3).toString("hex");

/** Several test panels share one Podman: agent names (and so container names) must not repeat. */
const agentName = (what: string) => `${what}-${unique()}`;

async function podmanInspect(container: string) {
  const { stdout } = await exec("podman", ["inspect", container]);
  return (JSON.parse(stdout) as Record<string, unknown>[])[0] as {
    State: { Pid: number; Running: boolean };
    Config: { User: string; Labels: Record<string, string> };
    Mounts: { Type: string; Source: string; Destination: string; RW: boolean }[];
    HostConfig: {
      CapAdd: string[] | null;
      SecurityOpt: string[];
      ReadonlyRootfs: boolean;
      NetworkMode: string;
      Memory: number;
      NanoCpus: number;
      PidsLimit: number;
      Privileged: boolean;
      PortBindings: Record<string, unknown> | null;
      IDMappings?: { UidMap?: string[] };
    };
  };
}

const containerExists = (name: string) =>
  exec("podman", ["container", "exists", name]).then(
    () => true,
    () => false,
  );

type Listed = {
  agents: { name: string; live: { state: string; ready: boolean; note: string | null } | null }[];
};

async function liveOf(env: Record<string, string>, name: string) {
  const list = await runCli(["agents", "list", "--json"], env);
  return (JSON.parse(list.stdout) as Listed).agents.find((agent) => agent.name === name)?.live;
}

describe("agents on real Podman", () => {
  let panel: RunningPanel;
  let env: Record<string, string>;
  const created: string[] = [];

  const create = async (template: string) => {
    const name = agentName(template);
    const result = await runCli(["agents", "create", "--template", template, "--name", name], env);
    expect(result.code, result.stderr).toBe(0);
    created.push(name);
    return name;
  };

  beforeAll(async () => {
    panel = await startPanel();
    env = cliEnvOf(panel);
  });
  afterAll(async () => {
    for (const name of created) await exec("podman", ["rm", "-f", `claw-agent-${name}`]).catch(() => {});
    await panel?.stop();
  });

  it(
    "create → start → Gateway ready through the panel → hardened as the spec says → survives a panel restart → stop → delete to trash",
    async () => {
      const name = await create("coder");
      const container = `claw-agent-${name}`;
      const start = await runCli(["agents", "start", name], env);
      expect(start.stderr).toContain("conformance passed");
      expect(start.stdout).toContain(`${name} is ready`);
      expect(start.code).toBe(0);

      // The real OpenClaw Gateway answers through the panel's per-agent port, only with a session.
      const login = await loginToPanel(panel, await panel.token());
      const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
      const gateway = await fetch(`${panel.url}/api/trpc/agents.gateway`, {
        method: "POST",
        headers: { cookie, "x-claw-csrf": "1", "content-type": "application/json" },
        body: JSON.stringify({ name }),
      });
      const { port, path } = ((await gateway.json()) as { result: { data: { port: number; path: string } } })
        .result.data;
      const readyz = await fetch(`http://127.0.0.1:${port}/readyz`, { headers: { cookie } });
      expect(readyz.status).toBe(200);
      expect(((await readyz.json()) as { ready: boolean }).ready).toBe(true);
      const controlUi = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { cookie } });
      expect(controlUi.status).toBe(200);
      expect(await controlUi.text()).toContain("openclaw");
      expect((await fetch(`http://127.0.0.1:${port}${path}`)).status).toBe(401);

      // Every hardening setting, as Podman and the kernel report them.
      const inspect = await podmanInspect(container);
      expect(inspect.State.Running).toBe(true);
      expect(inspect.Config.User).toBe("1000:1000");
      expect(inspect.HostConfig.CapAdd ?? []).toEqual([]);
      expect(inspect.HostConfig.Privileged).toBe(false);
      expect(inspect.HostConfig.SecurityOpt).toContain("no-new-privileges");
      expect(inspect.HostConfig.ReadonlyRootfs).toBe(true);
      expect(inspect.HostConfig.NetworkMode).toBe("none");
      expect(inspect.HostConfig.PortBindings ?? {}).toEqual({});
      expect(inspect.HostConfig.Memory).toBe(2 * 1024 ** 3);
      expect(inspect.HostConfig.NanoCpus).toBe(2e9);
      expect(inspect.HostConfig.PidsLimit).toBe(1024);
      expect(inspect.HostConfig.IDMappings?.UidMap?.[0]).toMatch(/^0:[1-9]\d+:65536$/);
      expect(inspect.Config.Labels["claw.agent"]).toBe(name);
      const status = await readFile(`/proc/${inspect.State.Pid}/status`, "utf8");
      expect(status).toMatch(/^CapEff:\s*0+$/m);
      expect(status).toMatch(/^CapBnd:\s*0+$/m);
      expect(status).toMatch(/^NoNewPrivs:\s*1$/m);
      expect(status).toMatch(/^Seccomp:\s*2$/m);
      expect(status).not.toMatch(/^Uid:\s*0\s/m);
      const mountinfo = await readFile(`/proc/${inspect.State.Pid}/mountinfo`, "utf8");
      expect(mountinfo).toMatch(/ \/tmp \S+ (\S+ )*- tmpfs /);
      const agentDir = join(panel.home, "agents", name);
      for (const mount of inspect.Mounts.filter((m) => m.Type === "bind")) {
        expect(mount.Source.startsWith(`${agentDir}/`), mount.Source).toBe(true);
        expect(mount.Source).not.toMatch(/podman\.sock|docker\.sock|\/\.ssh/);
      }
      expect(inspect.Mounts.map((m) => m.Destination).sort()).toEqual(
        [
          "/etc/claw/openclaw.json",
          "/home/agent/.openclaw",
          // The coder may start Claude Code jobs: the panel's agent API socket.
          "/run/claw/api",
          "/run/claw/egress",
          "/run/claw/ingress",
          "/run/claw/model",
          "/workspace",
        ].sort(),
      );

      // A panel restart picks the running agent up again.
      const { home, port: panelPort } = panel;
      await panel.stop();
      panel = await startPanel({ home, port: panelPort });
      const picked = await waitFor("the restarted panel to see the agent ready", async () => {
        const live = await liveOf(env, name);
        return live?.state === "running" && live.ready ? live : undefined;
      });
      expect(picked.state).toBe("running");

      const logs = await runCli(["agents", "logs", name, "-n", "50"], env);
      expect(logs.stdout).toContain("[gateway]");

      const stop = await runCli(["agents", "stop", name], env);
      expect(stop.code, stop.stderr).toBe(0);
      expect((await liveOf(env, name))?.state).toBe("stopped");
      expect((await podmanInspect(container)).State.Running).toBe(false);

      const del = await runCli(["agents", "delete", name, "--json"], env);
      expect(del.code, del.stderr).toBe(0);
      const { trash } = JSON.parse(del.stdout) as { trash: string };
      expect(trash.startsWith(join(panel.home, "trash", `${name}-`))).toBe(true);
      expect(await readdir(trash)).toEqual(
        expect.arrayContaining(["agent.yaml", "policy.lock.json", "workspace"]),
      );
      expect(await containerExists(container)).toBe(false);

      const audit = await runCli(["audit", "tail", "--json", "--agent", name, "-n", "50"], env);
      for (const action of ["agent_created", "agent_started", "agent_stopped", "agent_deleted"]) {
        expect(audit.stdout).toContain(`"action":"${action}"`);
      }
    },
    5 * 60_000,
  );

  it("refuses to start an agent whose spec was edited, and leaves no container behind", async () => {
    const name = await create("reviewer");
    const specPath = join(panel.home, "agents", name, "container-spec.json");
    const spec = JSON.parse(await readFile(specPath, "utf8")) as { readOnlyRootfs: boolean };
    spec.readOnlyRootfs = false;
    await writeFile(specPath, JSON.stringify(spec, null, 2));

    const start = await runCli(["agents", "start", name], env);
    expect(start.code).toBe(1);
    expect(start.stderr).toContain("policy lock does not match (artifact_tamper)");
    expect(start.stderr).toContain("container-spec.json");
    expect(await containerExists(`claw-agent-${name}`)).toBe(false);
    const audit = await runCli(["audit", "tail", "--json", "--agent", name], env);
    expect(audit.stdout).toContain('"action":"agent_start_refused"');
  });

  // The coder is walked through above; the others differ in mounts and network (a read-only
  // workspace, no network at all): each must come up to a Gateway that answers.
  it.each([
    { template: "reviewer", readOnlyWorkspace: true },
    { template: "security", readOnlyWorkspace: true },
    { template: "devops", readOnlyWorkspace: false },
  ])("starts a $template agent to a Gateway that answers", async ({ template, readOnlyWorkspace }) => {
    const name = await create(template);
    const start = await runCli(["agents", "start", name], env);
    expect(start.stderr + start.stdout).toContain(`${name} is ready`);
    expect(start.code).toBe(0);
    // The read-only workspace is the agent's to read: its instructions are there.
    const read = await runCli(["exec", name, "--", "cat", "/workspace/AGENTS.md"], env);
    expect(read.code, read.stderr).toBe(0);
    expect(read.stdout).toContain("/workspace");
    // A re-lock while it runs replaces AGENTS.md; the agent can still read the new one.
    const relock = await runCli(["policy", "relock", name], env);
    expect(relock.code, relock.stderr).toBe(0);
    const again = await runCli(["exec", name, "--", "cat", "/workspace/AGENTS.md"], env);
    expect(again.code, again.stderr).toBe(0);
    // Doctor asks the running agent itself; a workspace its uid cannot enter is a failure with the fix.
    const workspaceCheck = async () => {
      const doctor = await runCli(["doctor", "--json"], env);
      const checks = JSON.parse(doctor.stdout) as {
        id: string;
        status: string;
        detail: string;
        fix?: string;
      }[];
      return checks.find((check) => check.id === "agent-workspaces");
    };
    expect(await workspaceCheck()).toMatchObject({ status: "ok" });
    // A writable workspace is the container's own (Podman's `U`); a read-only one is the panel's,
    // and back at 0700 (as before the fix) the agent's uid is shut out.
    if (readOnlyWorkspace) {
      await chmod(join(panel.home, "agents", name, "workspace"), 0o700);
      const broken = await workspaceCheck();
      expect(broken).toMatchObject({
        status: "fail",
        fix: expect.stringContaining(`claw agents restart ${name}`),
      });
      expect(broken?.detail).toContain(`${name} cannot read /workspace`);
    }
    const removed = await runCli(["agents", "delete", name, "--force"], env);
    expect(removed.code, removed.stderr).toBe(0);
  });

  it("shows a container removed behind the panel's back as missing, and audits it", async () => {
    const name = await create("security");
    const start = await runCli(["agents", "start", name, "--no-wait"], env);
    expect(start.code, start.stderr).toBe(0);
    await waitFor("the panel to see it running", async () =>
      (await liveOf(env, name))?.state === "running" ? true : undefined,
    );
    await exec("podman", ["rm", "-f", `claw-agent-${name}`]).catch(() => {});
    const live = await waitFor("the panel to notice the removal", async () => {
      const current = await liveOf(env, name);
      return current?.state === "missing" ? current : undefined;
    });
    expect(live.note).toContain("removed outside the panel");
    const audit = await runCli(["audit", "tail", "--json", "--agent", name], env);
    expect(audit.stdout).toContain('"action":"agent_container_removed"');
  });
});
