/**
 * Claude Code's stream-json events, as the job page shows them. The lines come from a program the
 * panel does not control: every field is checked before use, and any shape is accepted.
 */

export type Json = Record<string, unknown>;

export const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);
export const str = (value: unknown) => (typeof value === "string" ? value : undefined);
export const num = (value: unknown) =>
  typeof value === "number" && Number.isFinite(value) ? value : undefined;

/** The content blocks of an assistant or user event (a string content is one text block). */
export function blocksOf(event: Json): Json[] {
  const message = event.message;
  if (!isObject(message)) return [];
  if (typeof message.content === "string") return [{ type: "text", text: message.content }];
  return Array.isArray(message.content) ? message.content.filter(isObject) : [];
}

/**
 * A short name for what the event is, for `data-event-type` and the muted lines: `system/init`,
 * `assistant/text`, `assistant/tool_use`, `user/tool_result`, `result`, `raw`, …
 */
export function eventTypeOf(event: unknown): string {
  if (!isObject(event)) return "unknown";
  const type = str(event.type) ?? "unknown";
  if (type === "system") return `system/${str(event.subtype) ?? "unknown"}`;
  if (type === "assistant" || type === "user") {
    const block = blocksOf(event)[0];
    return `${type}/${str(block?.type) ?? "empty"}`;
  }
  return type;
}

/** The one line that says what a tool call does: its file, command, pattern or address. */
export function toolInputSummary(input: unknown): string {
  if (!isObject(input)) return "";
  for (const key of [
    "command",
    "file_path",
    "notebook_path",
    "path",
    "pattern",
    "url",
    "query",
    "description",
  ]) {
    const value = str(input[key]);
    if (value) return oneLine(value, 120);
  }
  const prompt = str(input.prompt);
  if (prompt) return oneLine(prompt, 120);
  return "";
}

export function oneLine(text: string, length: number): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > length ? `${line.slice(0, length - 1)}…` : line;
}

/** A tool_result's content as text: a string, or a list of blocks whose text parts are joined. */
export function toolResultText(block: Json): string {
  const content = block.content;
  if (typeof content === "string") return content;
  if (Array.isArray(content))
    return content
      .map((part) =>
        isObject(part) ? (str(part.text) ?? (part.type === "image" ? "[image]" : "")) : String(part),
      )
      .join("\n");
  return "";
}

/** system/init in one line: version, model, working directory, tools, Claude's session. */
export function initSummary(event: Json): string {
  const tools = Array.isArray(event.tools) ? event.tools.length : undefined;
  const session = str(event.session_id);
  return [
    `Claude Code${str(event.claude_code_version) ? ` ${event.claude_code_version}` : ""} started`,
    str(event.model) ? `model ${event.model}` : null,
    str(event.cwd) ? `in ${event.cwd}` : null,
    tools !== undefined ? `${tools} tools` : null,
    str(event.permissionMode) ? `permissions ${event.permissionMode}` : null,
    session ? `session ${session.split("-")[0]}` : null,
  ]
    .filter(Boolean)
    .join(" · ");
}

/** Any other event in one line: its type and the fields that say something (task events mostly). */
export function otherSummary(event: Json): string {
  if (event.subtype === "api_retry") {
    const attempt = num(event.attempt);
    const max = num(event.max_retries);
    const delay = num(event.retry_delay_ms);
    return [
      attempt !== undefined ? `attempt ${attempt}${max !== undefined ? ` of ${max}` : ""}` : null,
      num(event.error_status) !== undefined ? `HTTP ${event.error_status}` : null,
      str(event.error) ? `error ${event.error}` : null,
      delay !== undefined ? `next in ${(delay / 1000).toFixed(1)} s` : null,
    ]
      .filter(Boolean)
      .join(" · ");
  }
  const details = ["description", "summary", "status", "task_type", "text"]
    .map((key) => str(event[key]))
    .filter((value): value is string => Boolean(value))
    .map((value) => oneLine(value, 100));
  return details.join(" · ");
}

/** Tool calls and their results by tool_use id, across the loaded events. */
export function indexTools(events: unknown[]): { uses: Map<string, Json>; results: Map<string, Json> } {
  const uses = new Map<string, Json>();
  const results = new Map<string, Json>();
  for (const event of events) {
    if (!isObject(event)) continue;
    for (const block of blocksOf(event)) {
      if (block.type === "tool_use" && typeof block.id === "string") uses.set(block.id, block);
      if (block.type === "tool_result" && typeof block.tool_use_id === "string")
        results.set(block.tool_use_id, block);
    }
  }
  return { uses, results };
}
