import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureClaudeCode } from "../server/images/install-claude-code";
import {
  type FakeAnthropic,
  promptText,
  startFakeAnthropic,
  toolResults,
  toolResultText,
} from "./fake-anthropic";

// biome-ignore lint/suspicious/noExplicitAny: stream-json events are checked field by field.
type StreamEvent = Record<string, any>;
type ClaudeRun = { code: number | null; events: StreamEvent[]; stderr: string };

/** Runs `claude -p PROMPT --output-format stream-json` against the fake, stdin from /dev/null. */
function runClaude(bin: string, baseUrl: string, dirs: { home: string; workspace: string }, prompt: string) {
  // Only what the run needs: no proxy variables or credentials leak in from the test's environment.
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: dirs.home,
    ANTHROPIC_BASE_URL: baseUrl,
    ANTHROPIC_API_KEY: "test-key",
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    CLAUDE_CODE_MAX_RETRIES: "0",
    CLAUDE_CONFIG_DIR: join(dirs.home, ".claude"),
    DISABLE_AUTOUPDATER: "1",
  };
  // Claude Code refuses --dangerously-skip-permissions as root outside a sandbox.
  if (process.getuid?.() === 0) env.IS_SANDBOX = "1";
  return new Promise<ClaudeRun>((resolve, reject) => {
    const child = spawn(
      bin,
      ["-p", prompt, "--output-format", "stream-json", "--verbose", "--dangerously-skip-permissions"],
      { cwd: dirs.workspace, stdio: ["ignore", "pipe", "pipe"], env: env as NodeJS.ProcessEnv },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code) =>
      resolve({
        code,
        stderr,
        events: stdout
          .split("\n")
          .filter((line) => line.trim())
          .map((line) => JSON.parse(line) as StreamEvent),
      }),
    );
  });
}

const only = (events: StreamEvent[], type: string) => events.filter((event) => event.type === type);

describe("fake Anthropic Messages API (protocol, no binary)", () => {
  let fake: FakeAnthropic;
  beforeAll(async () => {
    fake = await startFakeAnthropic();
  });
  afterAll(() => fake?.close());

  const post = (body: unknown, path = "/v1/messages?beta=true") =>
    fetch(`${fake.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  const tools = [{ name: "Write", input_schema: { type: "object" } }];
  const messages = [{ role: "user", content: "hi" }];

  it("streams a scripted tool call as SSE and answers side requests without using the script", async () => {
    fake.reset();
    fake.script([{ toolUse: { name: "Write", input: { file_path: "/w/a.txt", content: "x" } }, text: "ok" }]);
    const side = await post({ model: "claude-haiku", max_tokens: 10, messages });
    expect(await side.json()).toMatchObject({ type: "message", content: [{ type: "text", text: "OK" }] });
    const count = await post({ model: "m", messages }, "/v1/messages/count_tokens");
    expect((await count.json()).input_tokens).toBeGreaterThan(0);

    const response = await post({ model: "m", max_tokens: 10, stream: true, tools, messages });
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const events = (await response.text())
      .split("\n\n")
      .filter(Boolean)
      .map((frame) => JSON.parse(frame.split("\n")[1]?.slice("data: ".length) ?? "null"));
    expect(events.map((event) => event.type)).toEqual([
      "message_start",
      "ping",
      "content_block_start",
      "content_block_delta",
      "content_block_stop",
      "content_block_start",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    const json = events
      .filter((event) => event.delta?.type === "input_json_delta")
      .map((event) => event.delta.partial_json)
      .join("");
    expect(JSON.parse(json)).toEqual({ file_path: "/w/a.txt", content: "x" });
    expect(events.at(-2).delta.stop_reason).toBe("tool_use");
    expect(fake.requests.map((request) => request.kind)).toEqual(["side", "count_tokens", "main"]);
    expect(fake.pending).toBe(0);
  });

  it("answers non-streaming requests and errors as JSON", async () => {
    fake.reset();
    fake.script([
      { text: "plain" },
      { error: { status: 429, type: "rate_limit_error", message: "slow down" } },
    ]);
    const plain = await post({ model: "m", max_tokens: 10, tools, messages });
    expect(await plain.json()).toMatchObject({
      content: [{ type: "text", text: "plain" }],
      stop_reason: "end_turn",
    });
    const limited = await post({ model: "m", max_tokens: 10, stream: true, tools, messages });
    expect(limited.status).toBe(429);
    expect(await limited.json()).toEqual({
      type: "error",
      error: { type: "rate_limit_error", message: "slow down" },
    });
  });

  it("checks the API key when given one and keeps stalled streams open until closed", async () => {
    const guarded = await startFakeAnthropic({ apiKey: "right-key" });
    try {
      guarded.script([{ stall: true }]);
      const ask = (key: string) =>
        fetch(`${guarded.url}/v1/messages`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-api-key": key },
          body: JSON.stringify({ model: "m", max_tokens: 10, stream: true, tools, messages }),
        });
      expect((await ask("wrong-key")).status).toBe(401);
      expect(guarded.pending).toBe(1);
      const stalled = await ask("right-key");
      expect(stalled.status).toBe(200);
      await guarded.waitForMainRequests(2);
      const reader = stalled.body?.getReader();
      const first = new TextDecoder().decode((await reader?.read())?.value);
      expect(first).toContain("event: message_start");
      await guarded.close();
      await expect(reader?.read()).rejects.toThrow();
    } finally {
      await guarded.close();
    }
  });
});

describe("the real Claude Code binary against the fake Messages API", () => {
  let fake: FakeAnthropic;
  let root: string;
  let count = 0;
  /** The pinned binary the Claude Code image is built from (fetched once into .cache/). */
  let bin: string;

  beforeAll(async () => {
    bin = (await ensureClaudeCode({ log: () => {} })).claudeBinary;
    fake = await startFakeAnthropic();
    root = await mkdtemp(join(tmpdir(), "claw-fake-anthropic-"));
  });
  afterAll(async () => {
    await fake?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  async function freshDirs() {
    const dir = join(root, `run-${++count}`);
    const dirs = { home: join(dir, "home"), workspace: join(dir, "workspace") };
    await mkdir(dirs.home, { recursive: true });
    await mkdir(dirs.workspace, { recursive: true });
    return dirs;
  }
  const claude = async (prompt: string) => {
    const dirs = await freshDirs();
    return { dirs, run: await runClaude(bin, fake.url, dirs, prompt) };
  };

  it("prints init, the assistant text and a successful result", async () => {
    fake.reset();
    fake.script([{ text: "Hello from the fake API.", chunks: 3 }]);
    const { run } = await claude("say hello");

    expect(run.code, run.stderr).toBe(0);
    const [init] = only(run.events, "system");
    expect(init).toMatchObject({ subtype: "init", session_id: expect.any(String) });
    const texts = only(run.events, "assistant").flatMap((event) => event.message.content);
    expect(texts).toEqual([{ type: "text", text: "Hello from the fake API." }]);
    const [result] = only(run.events, "result");
    expect(result).toMatchObject({
      subtype: "success",
      is_error: false,
      result: "Hello from the fake API.",
      session_id: init?.session_id,
      num_turns: 1,
    });
    expect(fake.mainRequests).toHaveLength(1);
    expect(promptText(fake.mainRequests[0]?.body)).toBe("say hello");
  });

  it("runs a scripted Write tool call, sends the tool_result back, then finishes", async () => {
    fake.reset();
    const dirs = await freshDirs();
    const file = join(dirs.workspace, "hello.txt");
    fake.script([
      { toolUse: { name: "Write", input: { file_path: file, content: "written by the tool\n" } } },
      { text: "Wrote hello.txt." },
    ]);
    const run = await runClaude(bin, fake.url, dirs, "write hello.txt");

    expect(run.code, run.stderr).toBe(0);
    expect(await readFile(file, "utf8")).toBe("written by the tool\n");
    const toolUse = only(run.events, "assistant")
      .flatMap((event) => event.message.content)
      .find((block) => block.type === "tool_use");
    expect(toolUse).toMatchObject({ name: "Write", input: { file_path: file } });
    const [toolResultEvent] = only(run.events, "user");
    expect(toolResultEvent?.message.content[0]).toMatchObject({
      type: "tool_result",
      tool_use_id: toolUse?.id,
    });
    expect(only(run.events, "result")[0]).toMatchObject({
      is_error: false,
      result: "Wrote hello.txt.",
      num_turns: 2,
    });

    expect(fake.mainRequests).toHaveLength(2);
    const [result] = toolResults(fake.mainRequests[1]?.body);
    expect(result?.tool_use_id).toBe(toolUse?.id);
    expect(toolResultText(result)).toContain("File created successfully");
  });

  it.each([
    { status: 401, type: "authentication_error", error: "authentication_failed" },
    { status: 429, type: "rate_limit_error", error: "rate_limit" },
    { status: 500, type: "api_error", error: "server_error" },
  ])("reports an API $status as is_error with api_error_status and exits 1", async (expected) => {
    fake.reset();
    fake.script([{ error: { status: expected.status, type: expected.type, message: "scripted failure" } }]);
    fake.setDefault({ text: "a retry should not happen" });
    const { run } = await claude("hi");

    expect(run.code, run.stderr).toBe(1);
    const [assistant] = only(run.events, "assistant");
    expect(assistant).toMatchObject({
      is_api_error_message: true,
      error: expected.error,
      api_error_status: expected.status,
    });
    expect(only(run.events, "result")[0]).toMatchObject({
      type: "result",
      subtype: "success", // sic: API errors keep subtype "success"; is_error tells
      is_error: true,
      api_error_status: expected.status,
      api_error_type: expected.type,
      terminal_reason: "api_error",
    });
    expect(fake.mainRequests).toHaveLength(1); // CLAUDE_CODE_MAX_RETRIES=0
  });
});
