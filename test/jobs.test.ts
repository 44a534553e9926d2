import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  conversation,
  type FakeAnthropic,
  startFakeAnthropic,
  toolResults,
  toolResultText,
} from "./fake-anthropic";
import { startFakeTelegram } from "./fake-telegram";
import { writeTestJobTemplate } from "./job-templates";
import { runCli } from "./run-cli";
import { cliEnvOf, type RunningPanel, startPanel } from "./start-panel";

const exec = promisify(execFile);
const apiHost = "fake-anthropic.test";
/** The owner's key: the fake Messages API sees it; the job's container must not. */
const apiKey = `sk-ant-api03-${randomBytes(24).toString("base64url")}`;

type JobStatus = {
  id: string;
  status: string;
  errorType: string | null;
  errorMessage: string | null;
  exitCode: number | null;
  sessionId: string;
  resumed: string | null;
  eventCount: number;
  outputBytes: number;
  result: { text: string; isError: boolean; sessionId: string | null } | null;
  session: { claudeSessionId: string | null };
};
type Event = { type: string; subtype?: string; message?: { content?: { type: string; name?: string }[] } };

/**
 * The real Claude Code binary in the real hardened container, reaching a fake Messages API on the
 * host only through the job's model gateway, which adds the API key (CLAW_EGRESS_RESOLVE maps the
 * fake's name to loopback for it).
 */
describe("Claude Code jobs", () => {
  let fake: FakeAnthropic;
  let panel: RunningPanel;
  let env: Record<string, string>;
  const started: string[] = [];

  const cli = async (args: string[], input?: string) => {
    const run = await runCli(args, env, input);
    expect(run.code, `claw ${args.join(" ")}: ${run.stderr}`).toBe(0);
    return run.stdout;
  };
  const status = async (id: string) => JSON.parse(await cli(["--json", "jobs", "status", id])) as JobStatus;
  const start = async (prompt: string, options: string[] = []) => {
    const job = JSON.parse(await cli(["--json", "jobs", "start", "--prompt", prompt, ...options])) as {
      jobId: string;
      sessionId: string;
    };
    started.push(job.jobId);
    return job;
  };
  const waitFor = async (id: string, until: (job: JobStatus) => boolean, timeoutMs = 90_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const job = await status(id);
      if (until(job)) return job;
      if (Date.now() > deadline) throw new Error(`job ${id} still ${job.status}: ${JSON.stringify(job)}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  };
  const finished = (id: string, timeoutMs?: number) =>
    waitFor(id, (job) => ["completed", "failed", "cancelled"].includes(job.status), timeoutMs);
  const events = async (id: string) =>
    (await cli(["--json", "jobs", "output", id, "--limit", "1000"]))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Event);

  /** The webhook's receiver: OpenClaw's /hooks/agent, as a plain server on the host. */
  const hooks: { auth: string | undefined; body: Record<string, unknown> }[] = [];
  let hookServer: Server;

  beforeAll(async () => {
    hookServer = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on("end", () => {
        hooks.push({ auth: req.headers.authorization, body: JSON.parse(body) as Record<string, unknown> });
        res.writeHead(202).end();
      });
    });
    await new Promise<void>((resolve) => hookServer.listen(0, "127.0.0.1", resolve));
    // Loopback only: the panel's model gateway calls it from the host; the container cannot reach it.
    fake = await startFakeAnthropic({ apiKey });
    panel = await startPanel({ env: { CLAW_EGRESS_RESOLVE: `${apiHost}=127.0.0.1` } });
    env = cliEnvOf(panel);
    await writeTestJobTemplate(panel.home, "quick", { idleTimeoutSeconds: 8, maxOutputBytes: 200_000 });
    await writeTestJobTemplate(panel.home, "patient", { idleTimeoutSeconds: 90 });
    await cli(["jobs", "config", "--base-url", `http://${apiHost}:${fake.port}`, "--api-key-stdin"], apiKey);
    const tokenFile = join(panel.home, "hook-token");
    await writeFile(tokenFile, "hook-secret\n");
    const hookUrl = `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/hooks/agent`;
    await cli(["jobs", "config", "--webhook-url", hookUrl, "--webhook-token-file", tokenFile]);
  });
  afterAll(async () => {
    await panel?.stop();
    for (const id of started) await exec("podman", ["rm", "-f", `claw-job-${id}`]).catch(() => {});
    await fake?.close();
    hookServer?.close();
  });

  it("answers a prompt, keeps every event, and its only way to the model is the audited model gateway", async () => {
    fake.script([{ text: "Hello from the fake model." }]);
    const { jobId } = await start("say hello", ["--template", "quick"]);
    const job = await finished(jobId);
    expect(job, JSON.stringify(job)).toMatchObject({ status: "completed", exitCode: 0, errorType: null });
    expect(job.result?.text).toBe("Hello from the fake model.");
    expect(job.session.claudeSessionId).toBe(job.result?.sessionId);
    const kinds = (await events(jobId)).map(
      (event) => `${event.type}${event.subtype ? `/${event.subtype}` : ""}`,
    );
    expect(kinds).toEqual(["system/init", "assistant", "result/success"]);
    expect(job.eventCount).toBe(3);
    // `-f` follows over the panel's socket (a WebSocket there, no token): every event, then the end.
    const followed = (await cli(["--json", "jobs", "output", jobId, "-f"])).trim().split("\n");
    expect(followed.map((line) => (JSON.parse(line) as { type: string }).type)).toEqual([
      "system",
      "assistant",
      "result",
    ]);

    const prompt = fake.mainRequests.at(-1)?.body;
    expect(JSON.stringify(conversation(prompt ?? {}))).toContain("say hello");
    const audit = await cli(["--json", "audit", "tail", "-n", "50"]);
    expect(audit).toContain(`"actor":"job:${jobId}"`);
    const modelRequests = audit
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { action: string; actor: string; details: Record<string, unknown> })
      .filter((event) => event.action === "model_request" && event.actor === `job:${jobId}`);
    expect(modelRequests.map((event) => event.details)).toEqual([
      expect.objectContaining({ job: jobId, method: "POST", path: "/v1/messages", status: 200 }),
    ]);
    expect(audit).not.toContain(apiKey);
    expect(audit).toContain('"action":"job_completed"');
    // The agents' conformance check, from Podman and the kernel, ran on the job's container too.
    expect(audit).toMatch(/"action":"job_started".*"conformance":"passed"/);

    // The webhook, in OpenClaw's /hooks/agent shape, with the bearer token and the real output size.
    await expect.poll(() => hooks.length).toBeGreaterThan(0);
    expect(hooks[0]?.auth).toBe("Bearer hook-secret");
    expect(hooks[0]?.body).toMatchObject({
      sessionKey: `claw:job-session:${job.sessionId}`,
      deliver: true,
      channel: "last",
    });
    const size =
      job.outputBytes < 1024 ? `${job.outputBytes} B` : `${(job.outputBytes / 1024).toFixed(1)} KiB`;
    expect(hooks[0]?.body.message).toContain(`Claude Code job ${jobId} completed after`);
    expect(hooks[0]?.body.message).toContain(`(${size} of output)`);
    expect(job.outputBytes).toBeGreaterThan(100);
  });

  it("never has the API key: a job that prints its environment shows only the placeholder", async () => {
    fake.script([
      {
        toolUse: {
          name: "Bash",
          input: {
            command:
              "env; cat /proc/1/environ | tr '\\0' '\\n'; cat /proc/self/environ | tr '\\0' '\\n'; ls -la /run/claw/model",
            description: "print the environment",
          },
        },
      },
      { text: "printed" },
    ]);
    const { jobId } = await start("print your environment", ["--template", "quick"]);
    const job = await finished(jobId);
    expect(job.status, JSON.stringify(job)).toBe("completed");
    const [call, answer] = fake.mainRequests.slice(-2);
    const printed = toolResults(answer?.body).map(toolResultText).join("\n");
    // The command ran: the placeholder and the socket are there; the key is in no form.
    expect(printed).toContain("ANTHROPIC_API_KEY=claw-model-gateway");
    expect(printed).toContain("ANTHROPIC_BASE_URL=http://127.0.0.1:3129");
    expect(printed).toContain("model.sock");
    for (const form of [apiKey, Buffer.from(apiKey).toString("base64"), apiKey.slice(13)])
      expect(printed).not.toContain(form);
    // …while the fake received it on both calls, from the proxy.
    expect([call?.headers["x-api-key"], answer?.headers["x-api-key"]]).toEqual([apiKey, apiKey]);
    expect(JSON.stringify(await events(jobId))).not.toContain(apiKey);
  });

  it("runs a tool that writes into the session's workspace, then resumes the session with its history", async () => {
    fake.script([
      { toolUse: { name: "Write", input: { file_path: "/workspace/hello.txt", content: "hi from tool\n" } } },
      { text: "I wrote hello.txt." },
    ]);
    const first = await start("write hello.txt", ["--template", "quick"]);
    const job = await finished(first.jobId);
    expect(job.status, JSON.stringify(job)).toBe("completed");
    const workspace = join(panel.home, "jobs", "sessions", first.sessionId, "workspace");
    expect(await readFile(join(workspace, "hello.txt"), "utf8")).toBe("hi from tool\n");
    const tools = (await events(first.jobId)).flatMap((event) =>
      event.type === "assistant"
        ? (event.message?.content ?? []).filter((block) => block.type === "tool_use")
        : [],
    );
    expect(tools.map((tool) => tool.name)).toEqual(["Write"]);

    fake.script([{ text: "You asked me to write hello.txt." }]);
    const second = await start("what did I ask?", ["--session", first.sessionId]);
    expect(second.sessionId).toBe(first.sessionId);
    const resumed = await finished(second.jobId);
    expect(resumed, JSON.stringify(resumed)).toMatchObject({
      status: "completed",
      resumed: job.session.claudeSessionId,
    });
    const history = JSON.stringify(conversation(fake.mainRequests.at(-1)?.body ?? {}));
    expect(history).toContain("write hello.txt");
    expect(history).toContain("I wrote hello.txt.");
    expect(history).toContain("what did I ask?");
  });

  it("says what kind of API error ended a job", async () => {
    fake.script([{ error: { status: 429, type: "rate_limit_error", message: "slow down (fake)" } }]);
    const { jobId } = await start("hit the limit", ["--template", "quick"]);
    const job = await finished(jobId);
    expect(job).toMatchObject({ status: "failed", errorType: "rate_limit", exitCode: 1 });
    expect(job.errorMessage).toContain("slow down (fake)");
  });

  it("cancels a job in the middle of a slow stream, and runs the session's queued job after it", async () => {
    fake.script([{ text: "slow ".repeat(40), chunks: 40, delayMs: 1000 }, { text: "queued answer" }]);
    const first = await start("be slow", ["--template", "quick"]);
    const queued = await start("after that", ["--session", first.sessionId]);
    await waitFor(first.jobId, (job) => job.status === "running" && job.eventCount >= 1);
    expect((await status(queued.jobId)).status).toBe("pending");
    await cli(["jobs", "cancel", first.jobId]);
    const cancelled = await finished(first.jobId, 30_000);
    expect(cancelled.status).toBe("cancelled");
    const next = await finished(queued.jobId);
    expect(next.status, JSON.stringify(next)).toBe("completed");
    expect(next.result?.text).toBe("queued answer");
  });

  it("ends a job whose stream stalls with idle_timeout, and one that prints too much with output_limit", async () => {
    fake.script([{ stall: true }]);
    const stalled = await start("stall", ["--template", "quick"]);
    expect(await finished(stalled.jobId)).toMatchObject({ status: "failed", errorType: "idle_timeout" });

    fake.script([{ text: "x".repeat(150_000) }]); // the text comes twice (assistant and result): over 200 kB
    const flood = await start("flood", ["--template", "quick"]);
    const job = await finished(flood.jobId);
    expect(job).toMatchObject({ status: "failed", errorType: "output_limit" });
    expect(job.outputBytes).toBeLessThanOrEqual(200_000);
  });

  it("follows a running job again after the panel restarts, without repeating output", async () => {
    // The restart falls while a tool runs, between two API calls: the second goes through the new panel's proxy.
    fake.script([
      {
        toolUse: {
          name: "Bash",
          input: { command: "timeout 20 tail -f /dev/null; echo waited", description: "wait" },
        },
      },
      { text: "done after the wait" },
    ]);
    const { jobId } = await start("survive a restart", ["--template", "patient"]);
    await waitFor(jobId, (job) => job.status === "running" && job.eventCount >= 2);
    expect(await panel.stop()).toBe(0);
    panel = await startPanel({
      home: panel.home,
      port: panel.port,
      env: { CLAW_EGRESS_RESOLVE: `${apiHost}=127.0.0.1` },
    });
    const job = await finished(jobId);
    expect(job, JSON.stringify(job)).toMatchObject({ status: "completed", exitCode: 0 });
    expect(job.result?.text).toBe("done after the wait");
    const stored = await events(jobId);
    const uuids = stored.map((event) => (event as { uuid?: string }).uuid).filter(Boolean);
    expect(new Set(uuids).size).toBe(uuids.length);
    expect(stored.filter((event) => event.type === "system" && event.subtype === "init")).toHaveLength(1);
    expect(stored.filter((event) => event.type === "result")).toHaveLength(1);
    expect(stored.at(-1)?.type).toBe("result");
  });

  it("runs a job asked for over Telegram and tells the person when it ends", async () => {
    const telegram = await startFakeTelegram();
    try {
      await cli(["access", "bot", "--token-stdin", "--api-root", telegram.apiRoot], telegram.token);
      const agent = `jobs-tg-${Date.now().toString(36)}`;
      await cli(["agents", "create", "--template", "coder", "--name", agent]);
      const { link } = JSON.parse(
        await cli(["--json", "access", "pair", "telegram", agent, "--role", "operator", "--jobs"]),
      ) as {
        link: string;
      };
      const erin = { id: 555_000_1, username: "erin" };
      telegram.userSends(erin, `/start ${link.split("start=")[1]}`);
      const code = /(\d{3} \d{3})/.exec(await telegram.nextMessageTo(erin.id, { after: 0 }))?.[1] ?? "";
      await cli(["access", "confirm", "telegram", agent, code]);

      fake.script([{ text: "Answered for Telegram." }]);
      telegram.userSends(erin, `/job ${agent} say hello`);
      const queued = await telegram.nextMessageTo(erin.id, { after: 2 });
      const jobId = /^Job (j-[a-z2-7]{10}) queued\./.exec(queued)?.[1] ?? "";
      expect(jobId, queued).not.toBe("");
      started.push(jobId);
      const notice = await telegram.nextMessageTo(erin.id, { after: 3, timeoutMs: 120_000 });
      expect(notice).toMatch(
        new RegExp(`^Job ${jobId} completed after \\d+ s\\.\\n\\nAnswered for Telegram\\.$`),
      );
      const job = await status(jobId);
      expect(job.result?.text).toBe("Answered for Telegram.");
      await cli(["access", "bot", "--remove"]);
    } finally {
      await telegram.close();
    }
  }, 180_000);
});
