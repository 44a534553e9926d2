// Every built-in template, used as a person would: set the model key once, start an agent, talk to
// it through its Gateway (`openclaw agent`, the Gateway's own client, run in the container with
// `claw exec`), and get the model's answer back. The model is a fake Messages API on this machine's
// loopback that accepts only the real key; the agent reaches it only through the panel's model
// gateway, so the key must never be found in the container.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chatWithAgent, templateAtFake } from "./agent-templates";
import { conversation, type FakeAnthropic, startFakeAnthropic } from "./fake-anthropic";
import { runCli } from "./run-cli";
import { cliEnvOf, type RunningPanel, startPanel } from "./start-panel";

const exec = promisify(execFile);
const key = `sk-ant-api03-${randomBytes(24).toString("hex")}`;

type Listed = {
  agents: {
    name: string;
    live: { state: string; ready: boolean } | null;
    model: { route: string | null; missingSecret: string | null; fix: string | null };
  }[];
};

describe("agents that think, through the panel's model gateway", () => {
  let panel: RunningPanel;
  let env: Record<string, string>;
  let fake: FakeAnthropic;
  const created: string[] = [];

  const create = async (template: string) => {
    const name = `${template}-${randomBytes(3).toString("hex")}`;
    const result = await runCli(["agents", "create", "--template", template, "--name", name], env);
    expect(result.code, result.stderr).toBe(0);
    created.push(name);
    return name;
  };
  const listed = async (name: string) => {
    const list = await runCli(["agents", "list", "--json"], env);
    return (JSON.parse(list.stdout) as Listed).agents.find((agent) => agent.name === name);
  };
  const chat = (name: string, message: string) => chatWithAgent(env, name, message);

  beforeAll(async () => {
    fake = await startFakeAnthropic({ apiKey: key });
    // OpenClaw wraps the message in context (time, sessions): the answer echoes the words the test sent.
    fake.respond((request) => {
      const words = /hello (?:coder|reviewer|security|devops)|first|second/g;
      const said = JSON.stringify(conversation(request.body)).match(words)?.at(-1) ?? "?";
      return { text: `pong from the fake model to: ${said}` };
    });
    panel = await startPanel();
    env = cliEnvOf(panel);
    for (const name of ["coder", "reviewer", "security", "devops"])
      await templateAtFake(panel.home, name, fake.url);
  }, 120_000);
  afterAll(async () => {
    for (const name of created) await exec("podman", ["rm", "-f", `claw-agent-${name}`]).catch(() => {});
    await panel?.stop();
    await fake?.close();
  });

  it("says 'no model' until the key is set, and the key is set once, write-only", async () => {
    const name = await create("security");
    expect((await listed(name))?.model).toMatchObject({
      missingSecret: "anthropic-api-key",
      fix: expect.stringContaining("claw secrets set anthropic-api-key"),
    });
    const set = await runCli(["secrets", "set", "anthropic-api-key"], env, `${key}\n`);
    expect(set.code, set.stderr).toBe(0);
    const list = await runCli(["secrets", "list", "--json"], env);
    expect(list.stdout).toContain("anthropic-api-key");
    expect(list.stdout).not.toContain(key);
    expect((await listed(name))?.model).toMatchObject({
      missingSecret: null,
      route: expect.stringContaining("anthropic/claude-sonnet-4-6"),
    });
    await runCli(["agents", "delete", name, "--force"], env);
  });

  it.each(["coder", "reviewer", "security", "devops"])(
    "a %s agent answers through its Gateway, and no key is in its container",
    async (template) => {
      const name = await create(template);
      const start = await runCli(["agents", "start", name], env);
      expect(start.code, start.stderr).toBe(0);
      expect((await listed(name))?.live).toMatchObject({ state: "running", ready: true });

      const answer = await chat(name, `hello ${template}`);
      expect(answer.code, answer.stderr + answer.stdout).toBe(0);
      expect(answer.reply()).toBe(`pong from the fake model to: hello ${template}`);
      // The fake accepted it, so the real key arrived; the container sent only the placeholder.
      const seen = fake.mainRequests.at(-1);
      expect(seen?.headers["x-api-key"]).toBe(key);

      // Nowhere in the container: not in any process's environment, not in a file it can read.
      // Searched with podman itself: through `claw exec` the key would be in the audit log's argv.
      const { stdout: found } = await exec("podman", [
        "exec",
        `claw-agent-${name}`,
        "sh",
        "-c",
        // The first count shows the search sees the Gateway's environment; the second is the key's.
        `env=$(cat /proc/[0-9]*/environ 2>/dev/null | tr '\\0' '\\n'); echo "$env" | grep -c OPENCLAW_CONFIG_PATH; echo "$env" | grep -c -- "$0"; grep -rlsF -- "$0" /etc/claw /run/claw /home/agent /workspace /tmp; true`,
        key,
      ]);
      const [seenEnv, keyInEnv, ...files] = found.trim().split("\n");
      expect(Number(seenEnv)).toBeGreaterThan(0);
      expect(keyInEnv).toBe("0");
      expect(files).toEqual([]);
      // Nor in anything the panel mounts into it (the agent's directory holds the state and workspace).
      const { stdout: onHost } = await exec("grep", [
        "-rlsF",
        "--",
        key,
        join(panel.home, "agents", name),
      ]).catch((error: { stdout: string }) => error);
      expect(onHost).toBe("");

      // Metered and audited as the agent's own request: tokens, never the prompt or the key.
      const audit = await runCli(["audit", "tail", "--json", "--agent", name, "-n", "50"], env);
      const events = audit.stdout
        .trim()
        .split("\n")
        .map(
          (line) => JSON.parse(line) as { action: string; actor: string; details: Record<string, unknown> },
        );
      const request = events.find((event) => event.action === "model_request");
      expect(request).toMatchObject({
        actor: `agent:${name}`,
        details: { status: 200, provider: "anthropic" },
      });
      expect(audit.stdout).not.toContain(key);
      expect(JSON.stringify(request)).not.toContain(`hello ${template}`);
      await runCli(["agents", "delete", name, "--force"], env);
    },
    4 * 60_000,
  );

  it(
    "keeps answering after the panel restarts (its model gateway comes back with it)",
    async () => {
      const name = await create("security");
      expect((await runCli(["agents", "start", name], env)).code).toBe(0);
      const { home, port } = panel;
      await panel.stop();
      panel = await startPanel({ home, port });
      const deadline = Date.now() + 60_000;
      while (!(await listed(name))?.live?.ready && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 500));
      const answer = await chat(name, "hello security");
      expect(answer.code, answer.stderr + answer.stdout).toBe(0);
      expect(answer.reply()).toBe("pong from the fake model to: hello security");
      await runCli(["agents", "delete", name, "--force"], env);
    },
    4 * 60_000,
  );

  it(
    "stops an agent at its token budget with an error the agent reads",
    async () => {
      // 1 token a day: the first request spends it, the second is refused before it reaches the model.
      await templateAtFake(panel.home, "security", fake.url, "    budget:\n      tokensPerDay: 1\n");
      const name = await create("security");
      expect((await runCli(["agents", "start", name], env)).code).toBe(0);
      expect((await chat(name, "first")).reply()).toContain("pong from the fake model to: first");
      const before = fake.mainRequests.length;
      const refused = await chat(name, "second");
      // The person chatting reads why, as the model's answer; the model was never asked.
      expect(refused.code, refused.stderr).toBe(0);
      expect(refused.reply()).toContain(`${name} has used its budget of 1 tokens for today`);
      expect(fake.mainRequests.length).toBe(before);
      await templateAtFake(panel.home, "security", fake.url);
    },
    4 * 60_000,
  );

  it("refuses to start an agent whose template needs a secret nobody set, with the command that sets it", async () => {
    await templateAtFake(panel.home, "reviewer", fake.url);
    const path = join(panel.home, "templates", "reviewer.yaml");
    const text = await readFile(path, "utf8");
    await writeFile(
      path,
      text.replace(
        "  mounts:\n",
        "  secrets:\n    - env: GITHUB_TOKEN\n      secret: github-token\n  mounts:\n",
      ),
    );
    const name = await create("reviewer");
    const start = await runCli(["agents", "start", name], env);
    expect(start.code).toBe(1);
    expect(start.stderr).toContain("needs the secret github-token");
    expect(start.stderr).toContain("claw secrets set github-token");
    expect(
      await exec("podman", ["container", "exists", `claw-agent-${name}`]).then(
        () => true,
        () => false,
      ),
    ).toBe(false);
    const explain = await runCli(["policy", "show", name], env);
    expect(explain.stdout).toContain("GITHUB_TOKEN");
    expect(await readdir(join(panel.home, "agents", name))).not.toContain("github-token");
    await templateAtFake(panel.home, "reviewer", fake.url);
  });
});
