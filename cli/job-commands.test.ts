import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { formatJob, formatJobEvent, formatJobList, type JobListRow, type JobSummary } from "./job-commands";

/** Claude Code's stream-json of a job that writes a file (recorded for the job tests). */
const recorded = readFileSync(new URL("../server/jobs/testdata/s2-write.jsonl", import.meta.url), "utf8")
  .trim()
  .split("\n")
  .map((line) => JSON.parse(line) as unknown);

const assistant = (...content: unknown[]) => ({ type: "assistant", message: { content } });
const user = (...content: unknown[]) => ({ type: "user", message: { content } });

describe("formatJobEvent", () => {
  it("prints a recorded job as a person reads it: init, text, the tool call, its result, the end", () => {
    expect(recorded.map(formatJobEvent)).toEqual([
      "[init] claude-opus-5-5 session baa921c6-1dd4-4470-a636-e7adc372addd",
      "Writing the file.",
      "[tool Write] /tmp/cl-v6Bnd4/ws/hello.txt",
      "[tool result] File created successfully at: /tmp/cl-v6Bnd4/ws/hello.txt (file state is current in your context — …",
      "Done: wrote hello.txt.",
      "[done] 2 turns, 224 ms, $0.0024",
    ]);
  });

  it("shows what is not an event object as text, and an unknown type by its name", () => {
    expect(formatJobEvent(null)).toBe("null");
    expect(formatJobEvent("plain")).toBe("plain");
    expect(formatJobEvent({ type: "stream_event" })).toBe("[stream_event]");
    expect(formatJobEvent({})).toBe("[?]");
    expect(formatJobEvent({ type: "raw", text: "not json from the container" })).toBe(
      "not json from the container",
    );
  });

  it("marks system events other than init by their subtype, and init's missing fields", () => {
    expect(formatJobEvent({ type: "system", subtype: "compact_boundary" })).toBe("[system compact_boundary]");
    expect(formatJobEvent({ type: "system", subtype: "init" })).toBe("[init]  session ?");
  });

  it("puts each block of a message on its own line", () => {
    const event = assistant(
      { type: "thinking", thinking: "hmm" },
      { type: "text", text: "two\nlines" },
      { type: "tool_use", name: "Bash", input: { description: "d", command: "ls   -la\n/tmp" } },
    );
    expect(formatJobEvent(event)).toBe("[thinking]\ntwo\nlines\n[tool Bash] ls -la /tmp");
    expect(formatJobEvent({ type: "assistant", message: { content: "not blocks" } })).toBe("");
  });

  it("summarises a tool's input by its most telling field, else its JSON, cut at 80 characters", () => {
    const tool = (input: unknown) => formatJobEvent(assistant({ type: "tool_use", name: "T", input }));
    expect(tool({ pattern: "*.ts", path: "/src" })).toBe("[tool T] /src");
    expect(tool({ query: "x" })).toBe('[tool T] {"query":"x"}');
    expect(tool("a string")).toBe("[tool T] ");
    const long = tool({ command: "y".repeat(200) });
    expect(long).toBe(`[tool T] ${"y".repeat(79)}…`);
  });

  it("shows tool results on one line, errors marked, parts joined, long ones cut at 100 characters", () => {
    expect(formatJobEvent(user({ type: "tool_result", is_error: true, content: "denied" }))).toBe(
      "[tool error] denied",
    );
    const parts = [{ type: "text", text: "first" }, { type: "image" }, { type: "text", text: "second" }];
    expect(formatJobEvent(user({ type: "tool_result", content: parts }))).toBe("[tool result] first second");
    const cut = formatJobEvent(user({ type: "tool_result", content: "z".repeat(150) }));
    expect(cut).toBe(`[tool result] ${"z".repeat(99)}…`);
    expect(formatJobEvent(user({ type: "text", text: "  a\n question " }))).toBe("[user] a question");
  });

  it("ends with the turns, time and cost, or the error", () => {
    expect(
      formatJobEvent({ type: "result", num_turns: 3, duration_ms: 1200, total_cost_usd: 0.123456 }),
    ).toBe("[done] 3 turns, 1200 ms, $0.1235");
    expect(formatJobEvent({ type: "result", is_error: true, result: "API Error: 529 overloaded" })).toBe(
      "[error] ? turns, ? ms: API Error: 529 overloaded",
    );
  });
});

const now = Date.parse("2026-05-01T12:00:00Z");
const job: JobSummary = {
  id: "j-abc",
  status: "running",
  errorType: null,
  errorMessage: null,
  activity: "active",
  sessionId: "s-xyz",
  session: { template: "default", claudeSessionId: "c-1" },
  queuePosition: 0,
  startedAt: new Date(now - 95_000).toISOString(),
  finishedAt: null,
  exitCode: null,
  outputBytes: 5 * 1024 * 1024 + 100,
  eventCount: 42,
  lastOutputAt: new Date(now - 30_000).toISOString(),
  result: null,
  prompt: "Fix   the\ntests",
  agent: null,
};

describe("formatJob", () => {
  it("shows a running job's elapsed time and output, leaving out what it does not have yet", () => {
    expect(formatJob(job, now).split("\n")).toEqual([
      "Job            j-abc",
      "Status         running, active",
      "Started by     person",
      "Session        s-xyz (template default)",
      "Claude session c-1",
      "Elapsed        95 s",
      "Output         5.0 MiB in 42 events, last 30 s ago",
      "Prompt         Fix the tests",
    ]);
  });

  it("shows a waiting job's place in the queue and a finished one's result, error and exit code", () => {
    const waiting = formatJob(
      {
        ...job,
        status: "pending",
        activity: null,
        startedAt: null,
        queuePosition: 2,
        outputBytes: 0,
        lastOutputAt: null,
      },
      now,
    );
    expect(waiting).toContain("Queue          2 ahead");
    expect(waiting).toContain("Output         0 B in 42 events, last never\n");
    expect(waiting).not.toContain("Elapsed");

    const failed = formatJob(
      {
        ...job,
        status: "failed",
        errorType: "idle_timeout",
        errorMessage: "no output for 600 s",
        activity: null,
        finishedAt: new Date(now - 5_000).toISOString(),
        exitCode: 137,
        outputBytes: 2048,
        lastOutputAt: new Date(now - 3 * 3600_000).toISOString(),
        result: { numTurns: 7, costUsd: null, durationMs: 90_000 },
      },
      now,
    );
    expect(failed.split("\n")).toEqual(
      expect.arrayContaining([
        "Status         failed, idle_timeout",
        "Elapsed        90 s",
        "Exit code      137",
        "Output         2.0 KiB in 42 events, last 3 h ago",
        "Result         7 turns, $0.0000, 90000 ms",
        "Error          no output for 600 s",
      ]),
    );
    expect(failed).not.toContain("Queue");
  });
});

describe("formatJobList", () => {
  const row = (fields: Partial<JobListRow>): JobListRow => ({
    id: "j-aaaaaaaaaa",
    status: "completed",
    errorType: null,
    sessionId: "s-aaaaaaaaaa",
    createdAt: new Date(now - 90_000).toISOString(),
    outputBytes: 2048,
    prompt: "Fix the\ntests",
    agent: null,
    ...fields,
  });

  it("says who started each job, in a column as wide as the longest", () => {
    const lines = formatJobList(
      [
        row({ agent: "coder-with-a-long-name", status: "running" }),
        row({ id: "j-bbbbbbbbbb", status: "failed", errorType: "oom" }),
      ],
      { now },
    ).split("\n");
    expect(lines).toEqual([
      "JOB           STATUS                 STARTED BY                   SESSION       AGE     OUTPUT     PROMPT",
      "j-aaaaaaaaaa  running                agent:coder-with-a-long-name s-aaaaaaaaaa  90 s    2.0 KiB    Fix the tests",
      "j-bbbbbbbbbb  failed:oom             person                       s-aaaaaaaaaa  90 s    2.0 KiB    Fix the tests",
    ]);
  });

  it("keeps the column at least as wide as its heading", () => {
    const [heading, line] = formatJobList([row({})], { now }).split("\n");
    expect(heading).toContain("STARTED BY SESSION");
    expect(line).toContain("person     s-aaaaaaaaaa");
  });

  it("says how to start a job when there are none, and that none match a filter", () => {
    expect(formatJobList([], { now })).toBe('no jobs yet: claw jobs start --prompt "…"');
    expect(formatJobList([], { filtered: true, now })).toBe("no jobs match");
  });
});

describe("formatJob of an agent's job", () => {
  it("names the agent that started it", () => {
    expect(formatJob({ ...job, agent: "coder-1" }, now)).toContain("Started by     agent:coder-1\n");
  });
});
