// An agent hands a coding task to Claude Code, as the predecessor plugin let it: the real OpenClaw
// Gateway in its container calls the claude_code_* tools (the plugin in the agent image), which ask
// the panel's agent API on the agent's own socket; the real Claude Code runs the job in its own
// container, on the agent's workspace, and the agent hears of its end on its Gateway's hook. Two fake
// Messages APIs on loopback stand in for the model: one answers the agent, one answers Claude Code.
// Neither container holds a credential or a panel token, and the agent's signed policy sets what it
// may start: how many at a time and an hour, and nothing but its own jobs.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chatWithAgent, templateAtFake } from "./agent-templates";
import {
  conversation,
  type FakeAnthropic,
  type FakeRequest,
  startFakeAnthropic,
  toolResultText,
} from "./fake-anthropic";
import { runCli } from "./run-cli";
import { cliEnvOf, type RunningPanel, startPanel } from "./start-panel";
import { waitFor } from "./wait-for";

const exec = promisify(execFile);
const key = `sk-ant-api03-${randomBytes(24).toString("hex")}`;
const apiHost = "fake-anthropic.test";
const jobSaid = "I wrote hello.txt with a greeting.";
const greeting = "hello from claude code\n";
const claudeCodeTools = [
  "claude_code_cancel",
  "claude_code_cleanup",
  "claude_code_output",
  "claude_code_sessions",
  "claude_code_start",
  "claude_code_status",
];

type Json = Record<string, unknown>;
type JobRow = { id: string; status: string; agent: string | null; result: { text: string } | null };

const toolNames = (request: FakeRequest | undefined): string[] =>
  ((request?.body?.tools ?? []) as { name: string }[]).map((tool) => tool.name);

/**
 * The agent's model: it starts a job when asked to delegate, and when asked what a job said, reads
 * its status and pages its output in small byte ranges until the end, then quotes the result.
 * Which tool a result answers is in its id (the fake names its calls).
 */
function agentModel(request: FakeRequest) {
  // What came since the model last spoke: a tool's result, or what was said (OpenClaw adds a user
  // message of its own context after the person's, which is skipped).
  const messages = conversation(request.body);
  const since = messages
    .slice(messages.findLastIndex((message) => message.role === "assistant") + 1)
    .flatMap((message) =>
      Array.isArray(message.content) ? message.content : [{ type: "text", text: message.content }],
    );
  const result = since.find((block) => block?.type === "tool_result");
  if (result) {
    const id = String(result.tool_use_id);
    const answer = JSON.parse(toolResultText(result)) as Json;
    if (id.startsWith("start")) return { text: `Started Claude Code job ${String(answer.jobId)}.` };
    if (id.startsWith("status"))
      return {
        toolUse: {
          id: `out0z${randomBytes(3).toString("hex")}`,
          name: "claude_code_output",
          input: { job_id: answer.jobId, offset: 0, limit: 40 },
        },
        text: `status ${String(answer.status)}; result: ${String(answer.result)}`,
      };
    // OpenClaw keeps only letters and digits of a call's id: the page is between "out" and "z".
    const paged = /^out(\d+)z/.exec(id);
    if (paged) {
      const page = Number(paged[1]) + 1;
      if (answer.hasMore)
        return {
          toolUse: {
            id: `out${page}z${randomBytes(3).toString("hex")}`,
            name: "claude_code_output",
            input: { job_id: answer.jobId, offset: answer.nextOffset, limit: 40 },
          },
        };
      return { text: `Read ${page} pages. Claude Code said: ${jobSaid}` };
    }
    return { text: `unexpected tool result ${id}` };
  }
  const said = since
    .filter((block) => block?.type === "text" && !String(block.text).includes("OPENCLAW_INTERNAL_CONTEXT"))
    .map((block) => String(block.text))
    .join("\n");
  const asked = said.match(/what did job (j-[a-z2-7]{10}) say/);
  if (asked)
    return {
      toolUse: {
        id: `status-${randomBytes(3).toString("hex")}`,
        name: "claude_code_status",
        input: { job_id: asked[1] },
      },
    };
  if (said.includes("please delegate"))
    return {
      toolUse: {
        id: `start-${randomBytes(3).toString("hex")}`,
        name: "claude_code_start",
        input: { prompt: "Write hello.txt with a greeting." },
      },
    };
  return { text: "noted" };
}

describe("agents hand work to Claude Code", () => {
  let panel: RunningPanel;
  let env: Record<string, string>;
  let agentFake: FakeAnthropic;
  let jobFake: FakeAnthropic;
  const created: string[] = [];

  const cli = async (args: string[], input?: string) => {
    const run = await runCli(args, env, input);
    expect(run.code, `claw ${args.join(" ")}: ${run.stderr}`).toBe(0);
    return run.stdout;
  };
  const createAndStart = async (template: string) => {
    const name = `${template}-${randomBytes(3).toString("hex")}`;
    await cli(["agents", "create", "--template", template, "--name", name]);
    created.push(name);
    await cli(["agents", "start", name]);
    return name;
  };
  const chat = async (name: string, message: string) => {
    const run = await chatWithAgent(env, name, message);
    expect(run.code, `${run.stderr}${run.stdout}`).toBe(0);
    return run.reply();
  };
  const job = async (id: string) => JSON.parse(await cli(["--json", "jobs", "status", id])) as JobRow;

  const ended = (id: string) =>
    waitFor(
      `job ${id} to end`,
      async () => {
        const row = await job(id);
        return ["completed", "failed", "cancelled"].includes(row.status) ? row : undefined;
      },
      120_000,
    );
  /** What a hostile agent could send: a request on its own socket, from inside its container. */
  const fromAgent = async (name: string, method: string, path: string, body?: unknown) => {
    const script = `const [method, path, body] = process.argv.slice(1);
const req = require("node:http").request({ socketPath: "/run/claw/api/agent.sock", method, path,
  headers: { "content-type": "application/json" } }, (res) => { let text = "";
  res.on("data", (c) => (text += c)); res.on("end", () => console.log(JSON.stringify({ status: res.statusCode, body: JSON.parse(text) }))); });
req.on("error", (e) => console.log(JSON.stringify({ status: 0, body: { error: e.code } })));
req.end(body || undefined);`;
    const { stdout } = await exec("podman", [
      "exec",
      `claw-agent-${name}`,
      "node",
      "-e",
      script,
      method,
      path,
      body === undefined ? "" : JSON.stringify(body),
    ]);
    return JSON.parse(stdout) as { status: number; body: Json };
  };
  const auditOf = async (name: string) =>
    (await cli(["audit", "tail", "--json", "--agent", name, "-n", "200"]))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { action: string; actor: string; outcome: string; details: Json });

  beforeAll(async () => {
    agentFake = await startFakeAnthropic({ apiKey: key });
    agentFake.respond(agentModel);
    jobFake = await startFakeAnthropic({ apiKey: key });
    panel = await startPanel({ env: { CLAW_EGRESS_RESOLVE: `${apiHost}=127.0.0.1` } });
    env = cliEnvOf(panel);
    await cli(["secrets", "set", "anthropic-api-key"], `${key}\n`);
    await cli(["jobs", "config", "--base-url", `http://${apiHost}:${jobFake.port}`]);
    await templateAtFake(panel.home, "coder", agentFake.url);
    await templateAtFake(panel.home, "reviewer", agentFake.url);
    // One job at a time, two an hour, each session in a workspace of its own.
    await templateAtFake(panel.home, "coder", agentFake.url, "", {
      as: "tight",
      edit: (text) =>
        text
          .replace("maxConcurrent: 2", "maxConcurrent: 1")
          .replace("maxPerHour: 20", "maxPerHour: 2")
          .replace("workspace: agent", "workspace: session"),
    });
  }, 120_000);
  afterAll(async () => {
    // Jobs outlive the panel by design: the ones a failed test left running go with it.
    const jobs = (await runCli(["--json", "jobs", "list"], env).catch(() => undefined))?.stdout;
    for (const row of jobs ? (JSON.parse(jobs) as JobRow[]) : [])
      await exec("podman", ["rm", "-f", `claw-job-${row.id}`]).catch(() => {});
    for (const name of created) await exec("podman", ["rm", "-f", `claw-agent-${name}`]).catch(() => {});
    await panel?.stop();
    await agentFake?.close();
    await jobFake?.close();
  });

  let coder = "";
  let coderJob = "";

  it(
    "a coder agent starts a job on its workspace, hears when it ends, and quotes its result",
    async () => {
      coder = await createAndStart("coder");
      const explain = await cli(["policy", "explain", coder]);
      expect(explain).toContain("start up to 2 Claude Code jobs at a time");
      expect(explain).toContain("on its workspace; they reach only the model gateway");

      jobFake.script([
        { toolUse: { name: "Write", input: { file_path: "/workspace/hello.txt", content: greeting } } },
        { text: jobSaid },
      ]);
      const started = await chat(coder, "please delegate: write hello.txt");
      expect(toolNames(agentFake.mainRequests.at(-1))).toEqual(expect.arrayContaining(claudeCodeTools));
      coderJob = started.match(/Started Claude Code job (j-[a-z2-7]{10})/)?.[1] ?? "";
      expect(coderJob, started).not.toBe("");

      const done = await ended(coderJob);
      expect(done).toMatchObject({ status: "completed", agent: coder, result: { text: jobSaid } });
      // Claude Code wrote into the agent's own workspace: the agent reads what the job made.
      const { stdout: file } = await exec("podman", [
        "exec",
        `claw-agent-${coder}`,
        "cat",
        "/workspace/hello.txt",
      ]);
      expect(file).toBe(greeting);
      // Claude Code was asked through the job's model gateway, with the real key added there.
      expect(jobFake.mainRequests[0]?.headers["x-api-key"]).toBe(key);

      // The notice arrives on the agent's Gateway hook as a run of the agent's own.
      const notice = await waitFor(
        "the job-end notice",
        async () =>
          agentFake.mainRequests.find((request) =>
            JSON.stringify(conversation(request.body)).includes(`Claude Code job ${coderJob} completed`),
          ),
        120_000,
      );
      expect(JSON.stringify(conversation(notice.body))).toContain(jobSaid);

      const answer = await chat(coder, `what did job ${coderJob} say?`);
      expect(answer).toContain(`Claude Code said: ${jobSaid}`);
      // The output came in 40-byte pages, more than one of them.
      expect(Number(answer.match(/Read (\d+) pages/)?.[1])).toBeGreaterThan(1);

      const events = await auditOf(coder);
      expect(events.find((event) => event.action === "job_queued")).toMatchObject({
        actor: `agent:${coder}`,
        details: { job: coderJob, workspace: "agent" },
      });
      expect(events.find((event) => event.action === "job_notified")).toMatchObject({
        outcome: "ok",
        details: { job: coderJob, to: `agent ${coder}` },
      });
      const listed = JSON.parse(await cli(["--json", "jobs", "list", "--agent", coder])) as JobRow[];
      expect(listed.map((row) => row.id)).toEqual([coderJob]);

      // Neither container holds the key; the agent's holds no panel token either (only its own
      // Gateway's tokens, which the panel gave it).
      const { stdout: found } = await exec("podman", [
        "exec",
        `claw-agent-${coder}`,
        "sh",
        "-c",
        `cat /proc/[0-9]*/environ 2>/dev/null | tr '\\0' '\\n' | grep -c -- "$0"; grep -rlsF -- "$0" /etc/claw /run/claw /home/agent /workspace /tmp; true`,
        key,
      ]);
      expect(found.trim()).toBe("0");
    },
    6 * 60_000,
  );

  it(
    "a reviewer agent has no Claude Code tools and no agent API",
    async () => {
      const reviewer = await createAndStart("reviewer");
      expect(await chat(reviewer, "hello")).toBe("noted");
      const tools = toolNames(agentFake.mainRequests.at(-1));
      expect(tools.length).toBeGreaterThan(0);
      expect(tools.filter((tool) => tool.startsWith("claude_code"))).toEqual([]);
      expect((await fromAgent(reviewer, "GET", "/v1/claude-code/sessions")).body).toEqual({
        error: "ENOENT",
      });
      expect(await cli(["policy", "explain", reviewer])).toContain(
        "start Claude Code jobs: its policy allows none",
      );
    },
    4 * 60_000,
  );

  it(
    "holds an agent to its quotas, its own jobs and nothing else of the panel",
    async () => {
      const tight = await createAndStart("tight");
      jobFake.reset();
      jobFake.script([{ stall: true }]);
      const first = await fromAgent(tight, "POST", "/v1/claude-code/jobs", { prompt: "wait for me" });
      expect(first.status).toBe(200);
      const firstJob = String(first.body.jobId);

      // One at a time: the second is refused with a sentence the agent can act on, and audited.
      const second = await fromAgent(tight, "POST", "/v1/claude-code/jobs", { prompt: "me too" });
      expect(second.status).toBe(429);
      expect(second.body.error).toContain("your policy allows 1 at a time");
      expect(second.body.fix).toContain("claude_code_cancel");

      // Its own jobs only: another agent's job is as missing as one that never was.
      for (const [method, path] of [
        ["GET", `/v1/claude-code/jobs/${coderJob}`],
        ["GET", `/v1/claude-code/jobs/${coderJob}/output`],
        ["POST", `/v1/claude-code/jobs/${coderJob}/cancel`],
      ] as const) {
        const answer = await fromAgent(tight, method, path, method === "POST" ? {} : undefined);
        expect(answer).toMatchObject({ status: 404, body: { error: `No job ${coderJob} of yours` } });
      }
      expect((await job(coderJob)).status).toBe("completed");
      const sessions = (await fromAgent(tight, "GET", "/v1/claude-code/sessions")).body.sessions as Json[];
      expect(sessions.map((session) => session.activeJob)).toEqual([
        { jobId: firstJob, status: expect.any(String) },
      ]);

      // Nothing else of the panel answers on this socket.
      for (const [method, path] of [
        ["GET", "/api/trpc/agents.list"],
        ["POST", "/v1/agents"],
        ["GET", "/v1/claude-code/jobs"],
        ["GET", "/../../api/trpc/secrets.list"],
      ] as const) {
        const answer = await fromAgent(tight, method, path);
        expect(answer.status, path).toBe(404);
        expect(String(answer.body.error)).toContain("Your agent API has no");
      }

      // Cancelled, the first frees its place; the hour's quota (2) then stops the third.
      expect((await fromAgent(tight, "POST", `/v1/claude-code/jobs/${firstJob}/cancel`, {})).status).toBe(
        200,
      );
      expect((await ended(firstJob)).status).toBe("cancelled");
      jobFake.script([{ text: "done" }]);
      const again = await fromAgent(tight, "POST", "/v1/claude-code/jobs", { prompt: "quick one" });
      expect(again.status, JSON.stringify(again.body)).toBe(200);
      await ended(String(again.body.jobId));
      const third = await fromAgent(tight, "POST", "/v1/claude-code/jobs", { prompt: "one more" });
      expect(third.status).toBe(429);
      expect(third.body.error).toContain("your policy allows 2 an hour");

      const refused = (await auditOf(tight)).filter((event) => event.action === "job_refused");
      expect(refused.map((event) => event.outcome)).toEqual(["denied", "denied"]);
      expect(refused[0]?.actor).toBe(`agent:${tight}`);
    },
    6 * 60_000,
  );
});
