import { describe, expect, it } from "vitest";
import { refusalAsAnswer } from "../policy/model-route";
import { createUsageMeter } from "./usage-meter";

const feed = (meter: ReturnType<typeof createUsageMeter>, text: string, cut: number[]) => {
  let from = 0;
  for (const at of [...cut, text.length]) {
    meter.push(Buffer.from(text.slice(from, at)));
    from = at;
  }
  return meter.usage();
};

describe("createUsageMeter", () => {
  const anthropicStream = [
    "event: message_start",
    `data: {"type":"message_start","message":{"model":"claude-x","usage":{"input_tokens":10,"cache_creation_input_tokens":2,"cache_read_input_tokens":3,"output_tokens":1}}}`,
    "",
    "event: message_delta",
    `data: {"type":"message_delta","usage":{"output_tokens":42}}`,
    "",
  ].join("\r\n");

  it("reads Anthropic's stream however it is cut, cache tokens counted as input", () => {
    for (const cut of [[], [1], [40, 41, 120], [anthropicStream.length - 3]])
      expect(feed(createUsageMeter("anthropic", "text/event-stream"), anthropicStream, cut)).toEqual({
        inputTokens: 15,
        outputTokens: 42,
        model: "claude-x",
      });
  });

  it("reads a JSON answer (Anthropic and OpenAI) and OpenAI's last streamed chunk", () => {
    const anthropic = JSON.stringify({ model: "m", usage: { input_tokens: 4, output_tokens: 5 } });
    expect(feed(createUsageMeter("anthropic", "application/json"), anthropic, [3])).toEqual({
      inputTokens: 4,
      outputTokens: 5,
      model: "m",
    });
    const openai = `data: {"model":"q","choices":[]}\n\ndata: {"model":"q","usage":{"prompt_tokens":7,"completion_tokens":3}}\n\ndata: [DONE]\n\n`;
    expect(feed(createUsageMeter("openai", "text/event-stream"), openai, [20])).toEqual({
      inputTokens: 7,
      outputTokens: 3,
      model: "q",
    });
  });

  it("counts nothing it cannot read, and never throws", () => {
    for (const [type, text] of [
      ["text/event-stream", 'data: {broken\n\ndata: {"usage":{"input_tokens":-5,"output_tokens":"9"}}\n\n'],
      ["application/json", "not json"],
      ["text/event-stream", `data: ${"x".repeat(300 * 1024)}`],
    ] as const)
      expect(feed(createUsageMeter("anthropic", type), text, [7])).toEqual({
        inputTokens: 0,
        outputTokens: 0,
        model: null,
      });
  });
});

describe("refusalAsAnswer", () => {
  it("is a complete Anthropic message, streamed or not, that the meter reads as zero tokens", () => {
    const json = refusalAsAnswer("anthropic", false, "no key");
    expect(JSON.parse(json.body)).toMatchObject({
      role: "assistant",
      content: [{ type: "text", text: "no key" }],
      stop_reason: "end_turn",
    });
    const stream = refusalAsAnswer("anthropic", true, "no key");
    expect(stream.contentType).toBe("text/event-stream");
    const events = stream.body
      .split("\n")
      .filter((line) => line.startsWith("event: "))
      .map((line) => line.slice(7));
    expect(events).toEqual([
      "message_start",
      "content_block_start",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    expect(feed(createUsageMeter("anthropic", stream.contentType), stream.body, [])).toMatchObject({
      inputTokens: 0,
      outputTokens: 0,
    });
  });

  it("is an OpenAI chat completion, streamed or not", () => {
    expect(JSON.parse(refusalAsAnswer("openai", false, "over budget").body).choices[0].message.content).toBe(
      "over budget",
    );
    const stream = refusalAsAnswer("openai", true, "over budget").body;
    expect(stream.endsWith("data: [DONE]\n\n")).toBe(true);
    expect(JSON.parse(stream.split("\n")[0]?.slice(6) ?? "").choices[0].delta.content).toBe("over budget");
  });
});
