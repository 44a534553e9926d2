/**
 * Pure: a job's stream-json lines as the text an agent reads through its claude_code_output tool:
 * Claude Code's words, one line per tool call, tool results cut short, and the final result.
 * Append-only in the lines (each line renders on its own), so byte offsets into it stay valid
 * while the job runs.
 */

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const toolResultChars = 2000;

function blocksOf(event: Json): Json[] {
  const message = event.message;
  if (!isObject(message) || !Array.isArray(message.content)) return [];
  return message.content.filter(isObject);
}

function resultText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .filter(isObject)
    .map((block) => (typeof block.text === "string" ? block.text : ""))
    .join("");
}

function clip(text: string, chars: number): string {
  if (text.length <= chars) return text;
  // Not between the two halves of a surrogate pair (an emoji), which would read as "�".
  const cut = /[\uD800-\uDBFF]/.test(text.charAt(chars - 1)) ? chars - 1 : chars;
  return `${text.slice(0, cut)}… (${text.length - cut} more characters)`;
}

/** One stored line as transcript text ("" for lines that say nothing to a reader). */
export function transcriptOfLine(line: string): string {
  let event: unknown;
  try {
    event = JSON.parse(line);
  } catch {
    return `${line}\n`;
  }
  if (!isObject(event)) return "";
  if (event.type === "assistant")
    return blocksOf(event)
      .map((block) => {
        if (block.type === "text" && typeof block.text === "string") return `${block.text}\n`;
        if (block.type === "tool_use")
          return `[tool ${String(block.name)}] ${clip(JSON.stringify(block.input ?? {}), 500)}\n`;
        return "";
      })
      .join("");
  if (event.type === "user")
    return blocksOf(event)
      .map((block) =>
        block.type === "tool_result"
          ? `[result${block.is_error === true ? ", error" : ""}] ${clip(resultText(block.content), toolResultChars)}\n`
          : "",
      )
      .join("");
  if (event.type === "result")
    return `[${event.is_error === true ? "failed" : "done"}] ${typeof event.result === "string" ? event.result : ""}\n`;
  return "";
}

export function transcriptOf(lines: string[]): string {
  return lines.map(transcriptOfLine).join("");
}

/**
 * Pure: `limit` bytes of `text` from byte `offset`, cut back to whole UTF-8 characters (at least one,
 * so every page but the last moves on).
 */
export function pageBytes(text: string, offset: number, limit: number) {
  const bytes = Buffer.from(text, "utf8");
  const start = Math.min(offset, bytes.length);
  let end = Math.min(start + limit, bytes.length);
  const continues = (at: number) => at < bytes.length && ((bytes[at] as number) & 0xc0) === 0x80;
  // Do not end inside a character: back up over continuation bytes (10xxxxxx)…
  while (end > start && continues(end)) end -= 1;
  // …but a limit smaller than the next character gives that whole character, or paging would stall.
  if (end === start && start < bytes.length) {
    end = start + 1;
    while (continues(end)) end += 1;
  }
  return {
    size: bytes.length,
    output: bytes.subarray(start, end).toString("utf8"),
    nextOffset: end,
    hasMore: end < bytes.length,
  };
}
