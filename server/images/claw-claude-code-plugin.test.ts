// The OpenClaw plugin container/agent/claw-claude-code (plain ESM, copied into the agent image):
// loaded as OpenClaw loads it (its default export's register(api)), each tool driven against a real
// HTTP server on a Unix socket standing in for the panel's agent API.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const pluginDir = new URL("../../container/agent/claw-claude-code/", import.meta.url);

type ToolResult = { content: { type: string; text: string }[]; details: unknown };
type AgentTool = {
  name: string;
  label: string;
  description: string;
  parameters: { type: string; properties: Record<string, unknown>; required?: string[] };
  execute(toolCallId: string, params: Record<string, unknown>, signal?: AbortSignal): Promise<ToolResult>;
};
type PluginEntry = {
  id: string;
  register(api: { pluginConfig?: Record<string, unknown>; registerTool(tool: AgentTool): void }): void;
};
type Seen = { method: string; url: string; body: unknown };
type Answer = { status: number; body: unknown };

async function loadEntry(): Promise<PluginEntry> {
  const manifest = JSON.parse(await readFile(new URL("package.json", pluginDir), "utf8"));
  const entry = new URL(manifest.openclaw.extensions[0], pluginDir);
  return ((await import(entry.href)) as { default: PluginEntry }).default;
}

async function registerTools(config?: Record<string, unknown>): Promise<Map<string, AgentTool>> {
  const tools = new Map<string, AgentTool>();
  (await loadEntry()).register({ pluginConfig: config, registerTool: (tool) => tools.set(tool.name, tool) });
  return tools;
}

function toolOf(tools: Map<string, AgentTool>, name: string): AgentTool {
  const tool = tools.get(name);
  if (!tool) throw new Error(`${name} was not registered`);
  return tool;
}

let dir = "";
let socketPath = "";
let server: Server;
const seen: Seen[] = [];
let answer: (request: Seen) => Answer = () => ({ status: 200, body: {} });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "claw-cc-plugin-"));
  socketPath = join(dir, "agent.sock");
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const request = {
        method: req.method ?? "",
        url: req.url ?? "",
        body: raw ? JSON.parse(raw) : undefined,
      };
      seen.push(request);
      const { status, body } = answer(request);
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe("claw-claude-code plugin", () => {
  it("registers the six tools its manifest declares, each with an object schema", async () => {
    const manifest = JSON.parse(await readFile(new URL("openclaw.plugin.json", pluginDir), "utf8"));
    const entry = await loadEntry();
    const tools = await registerTools({ socketPath });
    expect(entry.id).toBe(manifest.id);
    expect([...tools.keys()]).toEqual(manifest.contracts.tools);
    expect(toolOf(tools, "claude_code_start").parameters.required).toEqual(["prompt"]);
    for (const name of ["claude_code_status", "claude_code_output", "claude_code_cancel"]) {
      expect(toolOf(tools, name).parameters.required).toEqual(["job_id"]);
    }
    for (const tool of tools.values()) {
      expect(tool.parameters.type).toBe("object");
      expect(tool.description.length).toBeGreaterThan(40);
    }
  });

  const cases: {
    tool: string;
    params: Record<string, unknown>;
    method: string;
    url: string;
    body?: unknown;
    result: unknown;
  }[] = [
    {
      tool: "claude_code_start",
      params: { prompt: "Add a test", session_id: "s-1" },
      method: "POST",
      url: "/v1/claude-code/jobs",
      body: { prompt: "Add a test", session_id: "s-1" },
      result: { jobId: "j-1", sessionId: "s-1" },
    },
    {
      tool: "claude_code_start",
      params: { prompt: "Start fresh" },
      method: "POST",
      url: "/v1/claude-code/jobs",
      body: { prompt: "Start fresh" },
      result: { jobId: "j-2", sessionId: "s-2" },
    },
    {
      tool: "claude_code_status",
      params: { job_id: "j/1", session_id: "s-1" },
      method: "GET",
      url: "/v1/claude-code/jobs/j%2F1",
      result: { jobId: "j/1", sessionId: "s-1", status: "running", elapsedSeconds: 12, outputSize: 40 },
    },
    {
      tool: "claude_code_output",
      params: { job_id: "j-1", offset: 100, limit: 50 },
      method: "GET",
      url: "/v1/claude-code/jobs/j-1/output?offset=100&limit=50",
      result: {
        jobId: "j-1",
        offset: 100,
        limit: 50,
        size: 400,
        output: "…",
        nextOffset: 150,
        hasMore: true,
      },
    },
    {
      tool: "claude_code_output",
      params: { job_id: "j-1" },
      method: "GET",
      url: "/v1/claude-code/jobs/j-1/output",
      result: {
        jobId: "j-1",
        offset: 0,
        limit: 65536,
        size: 3,
        output: "abc",
        nextOffset: 3,
        hasMore: false,
      },
    },
    {
      tool: "claude_code_cancel",
      params: { job_id: "j-1" },
      method: "POST",
      url: "/v1/claude-code/jobs/j-1/cancel",
      body: {},
      result: { jobId: "j-1", status: "cancelled" },
    },
    {
      tool: "claude_code_cleanup",
      params: { session_id: "s-1" },
      method: "POST",
      url: "/v1/claude-code/sessions/cleanup",
      body: { session_id: "s-1" },
      result: { closed: ["s-1"], busy: [] },
    },
    {
      tool: "claude_code_cleanup",
      params: {},
      method: "POST",
      url: "/v1/claude-code/sessions/cleanup",
      body: {},
      result: { closed: [], busy: ["s-2"] },
    },
    {
      tool: "claude_code_sessions",
      params: {},
      method: "GET",
      url: "/v1/claude-code/sessions",
      result: {
        sessions: [
          {
            sessionId: "s-1",
            ageSeconds: 60,
            lastActivitySecondsAgo: 5,
            messageCount: 2,
            activeJob: { jobId: "j-1", status: "running" },
          },
        ],
      },
    },
  ];

  it.each(cases)("$tool $params → $method $url", async ({ tool, params, method, url, body, result }) => {
    const tools = await registerTools({ socketPath });
    answer = () => ({ status: 200, body: result });
    seen.length = 0;
    const out = await toolOf(tools, tool).execute("call-1", params);
    expect(seen).toEqual([{ method, url, body }]);
    // details under a key, so OpenClaw does not grade a job's "cancelled" or "failed" as a failed call.
    expect(out).toEqual({
      content: [{ type: "text", text: JSON.stringify(result, null, 2) }],
      details: { response: result },
    });
  });

  it("returns the panel's error and fix as text and details, without throwing", async () => {
    const tools = await registerTools({ socketPath });
    answer = () => ({
      status: 404,
      body: { error: "No job j-9 for this agent.", fix: "List sessions with claude_code_sessions." },
    });
    const out = await toolOf(tools, "claude_code_status").execute("call-2", { job_id: "j-9" });
    expect(out.content).toEqual([
      {
        type: "text",
        text: "claude_code_status failed: No job j-9 for this agent. List sessions with claude_code_sessions.",
      },
    ]);
    expect(out.details).toEqual({
      error: "No job j-9 for this agent.",
      fix: "List sessions with claude_code_sessions.",
    });

    answer = () => ({ status: 429, body: { error: "Too many jobs." } });
    const busy = await toolOf(tools, "claude_code_start").execute("call-3", { prompt: "x" });
    expect(busy.content[0]?.text).toBe("claude_code_start failed: Too many jobs.");
    expect(busy.details).toEqual({ error: "Too many jobs." });

    answer = () => ({ status: 500, body: "oops" });
    const odd = await toolOf(tools, "claude_code_sessions").execute("call-4", {});
    expect(odd.content[0]?.text).toBe(
      "claude_code_sessions failed: The panel's agent API answered HTTP 500 with no error message.",
    );
  });

  it("says the panel's agent API is not reachable when its socket is missing", async () => {
    const missing = join(dir, "gone.sock");
    const tools = await registerTools({ socketPath: missing });
    const out = await toolOf(tools, "claude_code_sessions").execute("call-5", {});
    expect(out.content[0]?.text).toMatch(
      new RegExp(
        `^claude_code_sessions failed: The panel's agent API is not reachable at ${missing} \\(ENOENT\\)\\. `,
      ),
    );
    expect(out.details).toMatchObject({ error: expect.stringContaining("not reachable") });
  });

  it("uses /run/claw/api/agent.sock when no socketPath is configured", async () => {
    const tools = await registerTools();
    seen.length = 0;
    const out = await toolOf(tools, "claude_code_sessions").execute("call-6", {});
    expect(seen).toEqual([]);
    expect(out.content[0]?.text).toContain("/run/claw/api/agent.sock");
  });
});
