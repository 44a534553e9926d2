import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { pageBytes, transcriptOf, transcriptOfLine } from "./job-transcript";

const line = (event: unknown) => JSON.stringify(event);
const assistant = (...content: unknown[]) =>
  line({ type: "assistant", message: { role: "assistant", content } });
const user = (...content: unknown[]) => line({ type: "user", message: { role: "user", content } });

describe("transcriptOfLine", () => {
  it("gives Claude Code's words, a line per text block", () => {
    expect(
      transcriptOfLine(assistant({ type: "text", text: "Looking." }, { type: "text", text: "Found it." })),
    ).toBe("Looking.\nFound it.\n");
  });

  it("gives one line per tool call, its input as JSON, cut after 500 characters", () => {
    expect(
      transcriptOfLine(assistant({ type: "tool_use", id: "t1", name: "Bash", input: { command: "ls -la" } })),
    ).toBe('[tool Bash] {"command":"ls -la"}\n');
    expect(transcriptOfLine(assistant({ type: "tool_use", id: "t2", name: "Glob" }))).toBe(
      "[tool Glob] {}\n",
    );
    const input = { content: "x".repeat(1000) };
    const json = JSON.stringify(input);
    expect(transcriptOfLine(assistant({ type: "tool_use", id: "t3", name: "Write", input }))).toBe(
      `[tool Write] ${json.slice(0, 500)}… (${json.length - 500} more characters)\n`,
    );
  });

  it("leaves out blocks a reader has no use for (thinking, malformed text)", () => {
    expect(
      transcriptOfLine(
        assistant({ type: "thinking", thinking: "hmm" }, { type: "text", text: 42 }, "not a block", {
          type: "text",
          text: "ok",
        }),
      ),
    ).toBe("ok\n");
  });

  it("gives tool results, string or blocks, cut after 2000 characters, and marks errors", () => {
    expect(transcriptOfLine(user({ type: "tool_result", tool_use_id: "t1", content: "two files" }))).toBe(
      "[result] two files\n",
    );
    expect(
      transcriptOfLine(
        user({
          type: "tool_result",
          tool_use_id: "t1",
          content: [
            { type: "text", text: "part one, " },
            { type: "image", source: {} },
            { type: "text", text: "part two" },
          ],
        }),
      ),
    ).toBe("[result] part one, part two\n");
    expect(
      transcriptOfLine(user({ type: "tool_result", tool_use_id: "t1", is_error: true, content: "exit 1" })),
    ).toBe("[result, error] exit 1\n");
    expect(
      transcriptOfLine(user({ type: "tool_result", tool_use_id: "t1", is_error: "yes", content: "x" })),
    ).toBe("[result] x\n");
    const long = "é".repeat(2500);
    expect(transcriptOfLine(user({ type: "tool_result", tool_use_id: "t1", content: long }))).toBe(
      `[result] ${"é".repeat(2000)}… (500 more characters)\n`,
    );
    // An emoji (two UTF-16 units) across the cut is kept whole or left out, never halved.
    const emoji = `${"a".repeat(1999)}😀b`;
    expect(transcriptOfLine(user({ type: "tool_result", content: emoji }))).toBe(
      `[result] ${"a".repeat(1999)}… (3 more characters)\n`,
    );
    // A user's own words (the prompt echoed back) are not a tool result.
    expect(transcriptOfLine(user({ type: "text", text: "the prompt" }))).toBe("");
  });

  it("gives the final result, done or failed", () => {
    expect(transcriptOfLine(line({ type: "result", is_error: false, result: "All tests pass." }))).toBe(
      "[done] All tests pass.\n",
    );
    expect(
      transcriptOfLine(line({ type: "result", is_error: true, result: "Credit balance is too low" })),
    ).toBe("[failed] Credit balance is too low\n");
    expect(transcriptOfLine(line({ type: "result", subtype: "error_max_turns", is_error: true }))).toBe(
      "[failed] \n",
    );
  });

  it("passes a line that is not JSON through as it is", () => {
    expect(transcriptOfLine("Error: spawn claude ENOENT")).toBe("Error: spawn claude ENOENT\n");
    expect(transcriptOfLine('{"type":"assistant"')).toBe('{"type":"assistant"\n');
  });

  it("says nothing for other events and for JSON that is not an object", () => {
    expect(transcriptOfLine(line({ type: "system", subtype: "init", session_id: "abc" }))).toBe("");
    expect(transcriptOfLine(line({ type: "stream_event", event: { type: "content_block_delta" } }))).toBe("");
    expect(transcriptOfLine(line({ type: "assistant", message: { content: "not a list" } }))).toBe("");
    expect(transcriptOfLine(line({ type: "assistant" }))).toBe("");
    expect(transcriptOfLine("null")).toBe("");
    expect(transcriptOfLine("42")).toBe("");
    expect(transcriptOfLine('"text"')).toBe("");
    expect(transcriptOfLine("[1,2]")).toBe("");
  });

  it("renders a real run of Claude Code", () => {
    const lines = readFileSync(new URL("./testdata/s2-write.jsonl", import.meta.url), "utf8")
      .trim()
      .split("\n");
    expect(transcriptOf(lines)).toBe(
      [
        "Writing the file.",
        '[tool Write] {"file_path":"/tmp/cl-v6Bnd4/ws/hello.txt","content":"hi from tool\\n"}',
        "[result] File created successfully at: /tmp/cl-v6Bnd4/ws/hello.txt (file state is current in your context — no need to Read it back)",
        "Done: wrote hello.txt.",
        "[done] Done: wrote hello.txt.",
        "",
      ].join("\n"),
    );
  });

  it("is append-only: the transcript of more lines starts with the transcript of fewer", () => {
    const lines = [
      assistant({ type: "text", text: "one" }),
      line({ type: "system" }),
      user({ type: "tool_result", content: "two" }),
    ];
    expect(transcriptOf(lines)).toBe(lines.map(transcriptOfLine).join(""));
    expect(transcriptOf(lines).startsWith(transcriptOf(lines.slice(0, 2)))).toBe(true);
  });
});

describe("pageBytes", () => {
  it("pages ASCII by bytes: offset, limit, nextOffset and hasMore", () => {
    expect(pageBytes("hello world", 0, 5)).toEqual({
      size: 11,
      output: "hello",
      nextOffset: 5,
      hasMore: true,
    });
    expect(pageBytes("hello world", 5, 5)).toEqual({
      size: 11,
      output: " worl",
      nextOffset: 10,
      hasMore: true,
    });
    expect(pageBytes("hello world", 10, 5)).toEqual({
      size: 11,
      output: "d",
      nextOffset: 11,
      hasMore: false,
    });
    expect(pageBytes("hello world", 0, 11)).toEqual({
      size: 11,
      output: "hello world",
      nextOffset: 11,
      hasMore: false,
    });
    expect(pageBytes("hello world", 0, 1000)).toMatchObject({ output: "hello world", hasMore: false });
  });

  it("gives nothing and no more from the end or past it", () => {
    expect(pageBytes("hello", 5, 10)).toEqual({ size: 5, output: "", nextOffset: 5, hasMore: false });
    expect(pageBytes("hello", 99, 10)).toEqual({ size: 5, output: "", nextOffset: 5, hasMore: false });
    expect(pageBytes("", 0, 10)).toEqual({ size: 0, output: "", nextOffset: 0, hasMore: false });
  });

  it("never ends a page inside a multi-byte character", () => {
    // "é" is 2 bytes, "😀" 4, "€" 3.
    const text = "aé😀€b";
    expect(Buffer.byteLength(text)).toBe(11);
    expect(pageBytes(text, 0, 2)).toMatchObject({ output: "a", nextOffset: 1, hasMore: true });
    expect(pageBytes(text, 0, 3)).toMatchObject({ output: "aé", nextOffset: 3, hasMore: true });
    expect(pageBytes(text, 0, 6)).toMatchObject({ output: "aé", nextOffset: 3 });
    expect(pageBytes(text, 0, 7)).toMatchObject({ output: "aé😀", nextOffset: 7 });
    expect(pageBytes(text, 3, 6)).toMatchObject({ output: "😀", nextOffset: 7, hasMore: true });
    expect(pageBytes(text, 7, 4)).toMatchObject({ output: "€b", nextOffset: 11, hasMore: false });
  });

  it("gives a whole character when the limit is smaller than the next one, so paging always moves on", () => {
    const text = "😀€";
    expect(pageBytes(text, 0, 1)).toEqual({ size: 7, output: "😀", nextOffset: 4, hasMore: true });
    expect(pageBytes(text, 0, 3)).toMatchObject({ output: "😀", nextOffset: 4 });
    expect(pageBytes(text, 4, 2)).toEqual({ size: 7, output: "€", nextOffset: 7, hasMore: false });
  });

  it("reads the whole text back, character for character, whatever the page size", () => {
    const text = `${"é😀€a".repeat(40)}\n[result] 日本語 ✓\n`;
    for (let limit = 1; limit <= 23; limit++) {
      let offset = 0;
      let read = "";
      for (;;) {
        const page = pageBytes(text, offset, limit);
        expect(page.output).not.toContain("\uFFFD");
        expect(Buffer.byteLength(page.output)).toBeLessThanOrEqual(Math.max(limit, 4));
        expect(page.output.length).toBeGreaterThan(0);
        expect(page.nextOffset).toBe(offset + Buffer.byteLength(page.output));
        read += page.output;
        offset = page.nextOffset;
        if (!page.hasMore) break;
      }
      expect(read).toBe(text);
      expect(offset).toBe(Buffer.byteLength(text));
    }
  });
});
