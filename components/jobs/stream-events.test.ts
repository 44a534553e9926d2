import { describe, expect, it } from "vitest";
import {
  blocksOf,
  eventTypeOf,
  indexTools,
  initSummary,
  num,
  oneLine,
  otherSummary,
  toolInputSummary,
  toolResultText,
} from "./stream-events";

const assistant = (content: unknown) => ({ type: "assistant", message: { content } });

describe("num", () => {
  it("takes finite numbers only", () => {
    expect(num(0)).toBe(0);
    expect(num(Number.NaN)).toBeUndefined();
    expect(num(Number.POSITIVE_INFINITY)).toBeUndefined();
    expect(num("3")).toBeUndefined();
  });
});

describe("blocksOf", () => {
  it("reads a string content as one text block", () => {
    expect(blocksOf(assistant("hello"))).toEqual([{ type: "text", text: "hello" }]);
  });

  it("keeps only the object blocks of a list", () => {
    expect(
      blocksOf(assistant([{ type: "text", text: "a" }, "stray", null, [1], { type: "tool_use" }])),
    ).toEqual([{ type: "text", text: "a" }, { type: "tool_use" }]);
  });

  it("has no blocks without a message object or with content of another kind", () => {
    expect(blocksOf({ type: "assistant" })).toEqual([]);
    expect(blocksOf({ type: "assistant", message: "hi" })).toEqual([]);
    expect(blocksOf(assistant(42))).toEqual([]);
  });
});

describe("eventTypeOf", () => {
  it("names system events by subtype and messages by their first block", () => {
    expect(eventTypeOf({ type: "system", subtype: "init" })).toBe("system/init");
    expect(eventTypeOf({ type: "system" })).toBe("system/unknown");
    expect(eventTypeOf(assistant([{ type: "tool_use" }, { type: "text" }]))).toBe("assistant/tool_use");
    expect(eventTypeOf({ type: "user", message: { content: [{ type: "tool_result" }] } })).toBe(
      "user/tool_result",
    );
    expect(eventTypeOf(assistant([]))).toBe("assistant/empty");
    expect(eventTypeOf({ type: "result" })).toBe("result");
  });

  it("accepts anything a program may print", () => {
    expect(eventTypeOf(null)).toBe("unknown");
    expect(eventTypeOf(["system"])).toBe("unknown");
    expect(eventTypeOf({ type: 3 })).toBe("unknown");
  });
});

describe("oneLine", () => {
  it("collapses whitespace and trims", () => {
    expect(oneLine("  ls\n  -la\t/tmp  ", 50)).toBe("ls -la /tmp");
  });

  it("keeps a line of exactly the length and cuts a longer one to the length, ellipsis included", () => {
    expect(oneLine("abcde", 5)).toBe("abcde");
    expect(oneLine("abcdef", 5)).toBe("abcd…");
    expect(oneLine("abcdef", 5)).toHaveLength(5);
  });
});

describe("toolInputSummary", () => {
  it("prefers the command, then the file, over a description", () => {
    expect(toolInputSummary({ description: "List files", command: "ls -la" })).toBe("ls -la");
    expect(toolInputSummary({ description: "Edit", file_path: "/workspace/a.ts" })).toBe("/workspace/a.ts");
  });

  it("skips empty and non-string fields and falls back to the prompt of a sub-agent", () => {
    expect(toolInputSummary({ command: "", path: 3, prompt: "Find the bug\nin main.ts" })).toBe(
      "Find the bug in main.ts",
    );
  });

  it("cuts a long value to 120 characters", () => {
    const summary = toolInputSummary({ command: "x".repeat(500) });
    expect(summary).toHaveLength(120);
    expect(summary.endsWith("…")).toBe(true);
  });

  it("says nothing for an input it cannot read", () => {
    expect(toolInputSummary(undefined)).toBe("");
    expect(toolInputSummary({ unrelated: "value" })).toBe("");
  });
});

describe("toolResultText", () => {
  it("reads a string content as is", () => {
    expect(toolResultText({ content: "done" })).toBe("done");
  });

  it("joins text parts, marks images and stringifies anything else", () => {
    expect(
      toolResultText({ content: [{ type: "text", text: "a" }, { type: "image" }, { type: "other" }, 7] }),
    ).toBe("a\n[image]\n\n7");
  });

  it("is empty without a content", () => {
    expect(toolResultText({})).toBe("");
  });
});

describe("initSummary", () => {
  it("says version, model, directory, tools, permissions and the session's first group", () => {
    expect(
      initSummary({
        claude_code_version: "2.1.0",
        model: "claude-sonnet-4-5",
        cwd: "/workspace",
        tools: ["Bash", "Read", "Write"],
        permissionMode: "bypassPermissions",
        session_id: "0f3a9c2e-1b2c-4d5e-8f90-123456789abc",
      }),
    ).toBe(
      "Claude Code 2.1.0 started · model claude-sonnet-4-5 · in /workspace · 3 tools · permissions bypassPermissions · session 0f3a9c2e",
    );
  });

  it("leaves out what the event does not carry", () => {
    expect(initSummary({ tools: [] })).toBe("Claude Code started · 0 tools");
    expect(initSummary({ model: 4 })).toBe("Claude Code started");
  });
});

describe("otherSummary", () => {
  it("says an API retry's attempt, status, error and delay", () => {
    expect(
      otherSummary({
        subtype: "api_retry",
        attempt: 2,
        max_retries: 10,
        error_status: 529,
        error: "overloaded",
        retry_delay_ms: 2500,
      }),
    ).toBe("attempt 2 of 10 · HTTP 529 · error overloaded · next in 2.5 s");
    expect(otherSummary({ subtype: "api_retry", attempt: 1 })).toBe("attempt 1");
  });

  it("joins the telling fields of other events in order, each cut to 100 characters", () => {
    expect(otherSummary({ type: "system", status: "running", description: "Task  one", text: 5 })).toBe(
      "Task one · running",
    );
    const [first] = otherSummary({ summary: "s".repeat(300) }).split(" · ");
    expect(first).toHaveLength(100);
  });
});

describe("indexTools", () => {
  it("pairs tool calls and results by id across events, ignoring malformed ones", () => {
    const use = { type: "tool_use", id: "toolu_1", name: "Bash" };
    const result = { type: "tool_result", tool_use_id: "toolu_1", content: "ok" };
    const { uses, results } = indexTools([
      assistant([use, { type: "tool_use", id: 9 }]),
      { type: "user", message: { content: [result, { type: "tool_result" }] } },
      "not an event",
      null,
    ]);
    expect([...uses.keys()]).toEqual(["toolu_1"]);
    expect(uses.get("toolu_1")).toBe(use);
    expect([...results.keys()]).toEqual(["toolu_1"]);
    expect(results.get("toolu_1")).toBe(result);
  });
});
