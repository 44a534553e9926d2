/**
 * Claude Code's `--output-format stream-json --verbose`: one JSON object per line. The lines are
 * kept as they come (the job's events); this reads from each line what the runner acts on.
 */

export type JobResult = {
  text: string;
  isError: boolean;
  subtype: string | null;
  numTurns: number | null;
  durationMs: number | null;
  costUsd: number | null;
  usage: Record<string, unknown> | null;
  sessionId: string | null;
  /** On API errors: the HTTP status (null for a connection failure) and the error's type. */
  apiErrorStatus: number | null;
  apiErrorType: string | null;
};

export type LineFacts = {
  kind: "init" | "assistant" | "user" | "result" | "other" | "invalid";
  sessionId?: string;
  /** tool_use ids the assistant started, and tool_result ids that answered them. */
  toolUses: string[];
  toolResults: string[];
  result?: JobResult;
};

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const str = (value: unknown) => (typeof value === "string" ? value : null);
const num = (value: unknown) => (typeof value === "number" && Number.isFinite(value) ? value : null);

function contentBlocks(event: Json): Json[] {
  const message = event.message;
  if (!isObject(message) || !Array.isArray(message.content)) return [];
  return message.content.filter(isObject);
}

/** Pure: what one stdout line says (the line is not trusted: any shape is accepted). */
export function factsOfLine(line: string): LineFacts {
  let event: unknown;
  try {
    event = JSON.parse(line);
  } catch {
    return { kind: "invalid", toolUses: [], toolResults: [] };
  }
  if (!isObject(event)) return { kind: "invalid", toolUses: [], toolResults: [] };
  const sessionId = str(event.session_id) ?? undefined;
  const none = { toolUses: [], toolResults: [] };
  switch (event.type) {
    case "system":
      return { kind: event.subtype === "init" ? "init" : "other", sessionId, ...none };
    case "assistant":
      return {
        kind: "assistant",
        sessionId,
        toolUses: contentBlocks(event).flatMap((block) =>
          block.type === "tool_use" && typeof block.id === "string" ? [block.id] : [],
        ),
        toolResults: [],
      };
    case "user":
      return {
        kind: "user",
        sessionId,
        toolUses: [],
        toolResults: contentBlocks(event).flatMap((block) =>
          block.type === "tool_result" && typeof block.tool_use_id === "string" ? [block.tool_use_id] : [],
        ),
      };
    case "result":
      return {
        kind: "result",
        sessionId,
        ...none,
        result: {
          text: str(event.result) ?? (Array.isArray(event.errors) ? event.errors.map(String).join("; ") : ""),
          isError: event.is_error === true,
          subtype: str(event.subtype),
          numTurns: num(event.num_turns),
          durationMs: num(event.duration_ms),
          costUsd: num(event.total_cost_usd),
          usage: isObject(event.usage) ? event.usage : null,
          sessionId: sessionId ?? null,
          apiErrorStatus: num(event.api_error_status),
          apiErrorType: str(event.api_error_type) ?? str(event.api_error),
        },
      };
    default:
      return { kind: "other", sessionId, ...none };
  }
}

export const jobErrorTypes = [
  "startup_timeout",
  "idle_timeout",
  "max_duration",
  "output_limit",
  "oom",
  "crash",
  "rate_limit",
  "auth_failed",
  "api_error",
] as const;
export type JobErrorType = (typeof jobErrorTypes)[number];
/** Errors the runner causes itself, by stopping the container. */
export type LimitError = Extract<
  JobErrorType,
  "startup_timeout" | "idle_timeout" | "max_duration" | "output_limit"
>;

export type JobOutcome =
  | { status: "completed"; errorType: null; message: null }
  | { status: "cancelled"; errorType: null; message: string }
  | { status: "failed"; errorType: JobErrorType; message: string };

/**
 * Pure: an API error's kind. Claude Code says `subtype: "success"` and exits 1 for every kind; its
 * `api_error_status`/`api_error_type` tell them apart, the text only when those are missing.
 */
export function classifyApiError(
  result: Pick<JobResult, "text" | "apiErrorStatus" | "apiErrorType">,
): Extract<JobErrorType, "rate_limit" | "auth_failed" | "api_error"> {
  const { apiErrorStatus: status, apiErrorType: type, text } = result;
  if (status === 429 || type === "rate_limit_error") return "rate_limit";
  if (status === 401 || status === 403 || type === "authentication_error" || type === "permission_error")
    return "auth_failed";
  if (/credit balance|invalid api key|please run \/login|oauth token/i.test(text)) return "auth_failed";
  if (status === null && /\(429\)|rate limit/i.test(text)) return "rate_limit";
  return "api_error";
}

/** Pure: how a finished job ended, from what the runner knows (the container's own exit code first). */
export function jobOutcome(input: {
  stoppedFor: LimitError | "cancelled" | null;
  limitMessage?: string;
  cancelledBy?: string | null;
  exitCode: number | null;
  oomKilled: boolean;
  result: JobResult | null;
  stderrTail: string;
}): JobOutcome {
  if (input.stoppedFor === "cancelled")
    return {
      status: "cancelled",
      errorType: null,
      message: `cancelled by ${input.cancelledBy ?? "someone"}`,
    };
  if (input.stoppedFor)
    return { status: "failed", errorType: input.stoppedFor, message: input.limitMessage ?? input.stoppedFor };
  if (input.oomKilled)
    return { status: "failed", errorType: "oom", message: "the container ran out of memory and was killed" };
  if (input.result?.isError) {
    const text = input.result.text || input.stderrTail.trim() || "Claude Code reported an error";
    return { status: "failed", errorType: classifyApiError(input.result), message: text.slice(0, 2000) };
  }
  if (input.exitCode === 0 && input.result) return { status: "completed", errorType: null, message: null };
  const why = input.result ? `exit code ${input.exitCode}` : `exit code ${input.exitCode}, without a result`;
  const tail = input.stderrTail.trim();
  return { status: "failed", errorType: "crash", message: tail ? `${why}: ${tail.slice(-1500)}` : why };
}
