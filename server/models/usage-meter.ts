// Pure: reads token usage out of a model answer as it streams past, without holding the answer.
import type { ModelProvider } from "../policy/model-route";

export type ModelUsage = { inputTokens: number; outputTokens: number; model: string | null };

/** A JSON answer above this is passed on but not metered (no real usage object is that far in). */
const maxJsonBytes = 4 * 1024 * 1024;
/** An SSE line above this is skipped (usage sits in short events). */
const maxLineBytes = 256 * 1024;

const count = (value: unknown) =>
  typeof value === "number" && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;

type AnyRecord = Record<string, unknown>;
const recordOf = (value: unknown): AnyRecord | undefined =>
  value && typeof value === "object" && !Array.isArray(value) ? (value as AnyRecord) : undefined;

/**
 * Feed it the answer's chunks; `usage()` gives what the provider reported. Anthropic: `message_start`
 * carries input (and cache) tokens, `message_delta` the output so far; OpenAI: a `usage` object in the
 * JSON answer or in a streamed chunk. Anything it cannot read counts as zero, never an error.
 */
export function createUsageMeter(provider: ModelProvider, contentType: string | undefined) {
  const streaming = (contentType ?? "").includes("text/event-stream");
  const usage: ModelUsage = { inputTokens: 0, outputTokens: 0, model: null };
  let pending = "";
  let skipping = false;
  const json: Buffer[] = [];
  let jsonBytes = 0;

  const readAnthropic = (event: AnyRecord) => {
    const message = recordOf(event.message);
    const fromMessage = recordOf(message?.usage);
    const direct = recordOf(event.usage);
    if (typeof message?.model === "string") usage.model = message.model;
    if (typeof event.model === "string") usage.model = event.model;
    const u = fromMessage ?? direct;
    if (!u) return;
    const input =
      count(u.input_tokens) + count(u.cache_creation_input_tokens) + count(u.cache_read_input_tokens);
    if (input > 0) usage.inputTokens = input;
    if (count(u.output_tokens) > 0) usage.outputTokens = count(u.output_tokens);
  };
  const readOpenai = (event: AnyRecord) => {
    if (typeof event.model === "string") usage.model = event.model;
    const u = recordOf(event.usage);
    if (!u) return;
    if (count(u.prompt_tokens) > 0) usage.inputTokens = count(u.prompt_tokens);
    if (count(u.completion_tokens) > 0) usage.outputTokens = count(u.completion_tokens);
  };
  const read = (text: string) => {
    try {
      const event = recordOf(JSON.parse(text));
      if (event) (provider === "anthropic" ? readAnthropic : readOpenai)(event);
    } catch {
      // Not JSON ("[DONE]", a keep-alive): nothing to count.
    }
  };
  // Only events that carry usage are parsed: the text deltas between them (most of a stream) are not.
  const line = (text: string) => {
    if (text.startsWith("data:") && text.includes('"usage"')) read(text.slice(5).trim());
  };

  return {
    push(chunk: Buffer) {
      if (!streaming) {
        jsonBytes += chunk.length;
        if (jsonBytes <= maxJsonBytes) json.push(chunk);
        return;
      }
      let text = pending + chunk.toString("utf8");
      let newline = text.indexOf("\n");
      while (newline !== -1) {
        if (!skipping) line(text.slice(0, newline).replace(/\r$/, ""));
        skipping = false;
        text = text.slice(newline + 1);
        newline = text.indexOf("\n");
      }
      if (text.length > maxLineBytes) {
        skipping = true;
        text = "";
      }
      pending = text;
    },
    usage(): ModelUsage {
      if (streaming) {
        if (!skipping && pending) line(pending.replace(/\r$/, ""));
        pending = "";
      } else if (jsonBytes > 0 && jsonBytes <= maxJsonBytes) {
        read(Buffer.concat(json).toString("utf8"));
        json.length = 0;
        jsonBytes = 0;
      }
      return { ...usage };
    },
  };
}
