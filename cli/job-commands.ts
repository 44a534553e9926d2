import { readFile } from "node:fs/promises";
import { CliError, exitCodes } from "./cli-error";
import { type Command, type CommandOptions, firstArg, panelCommand, type RouterOutputs } from "./command";
import { print, readStdin } from "./output";
import type { PanelConnection } from "./panel-client";

type Job = RouterOutputs["jobs"]["get"];
/** What `jobs status` shows of a job. */
export type JobSummary = Pick<
  Job,
  | "id"
  | "status"
  | "errorType"
  | "errorMessage"
  | "activity"
  | "sessionId"
  | "queuePosition"
  | "startedAt"
  | "finishedAt"
  | "exitCode"
  | "outputBytes"
  | "eventCount"
  | "lastOutputAt"
  | "prompt"
  | "agent"
> & {
  session: Pick<Job["session"], "template" | "claudeSessionId">;
  result: Pick<NonNullable<Job["result"]>, "numTurns" | "costUsd" | "durationMs"> | null;
};
type Json = Record<string, unknown>;

const finished = new Set(["completed", "failed", "cancelled"]);
const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null;

function size(bytes: number): string {
  return bytes < 1024
    ? `${bytes} B`
    : bytes < 1024 ** 2
      ? `${(bytes / 1024).toFixed(1)} KiB`
      : `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}

function ago(iso: string | Date | null, now = Date.now()): string {
  if (!iso) return "";
  const seconds = Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000));
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} d`;
}

function oneLine(text: string, max = 100): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function blocks(event: Json): Json[] {
  const message = event.message;
  return isObject(message) && Array.isArray(message.content) ? message.content.filter(isObject) : [];
}

function toolInputSummary(input: unknown): string {
  if (!isObject(input)) return "";
  for (const key of ["command", "file_path", "path", "pattern", "url", "description"])
    if (typeof input[key] === "string") return oneLine(input[key] as string, 80);
  return oneLine(JSON.stringify(input), 80);
}

function resultText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content))
    return content
      .map((part) => (isObject(part) && typeof part.text === "string" ? part.text : ""))
      .join("\n");
  return "";
}

/** Pure: a stream-json event as the terminal shows it (text as is, tools and results on one line). */
export function formatJobEvent(event: unknown): string {
  if (!isObject(event)) return String(event);
  switch (event.type) {
    case "system":
      return event.subtype === "init"
        ? `[init] ${event.model ?? ""} session ${event.session_id ?? "?"}`
        : `[system ${event.subtype ?? ""}]`;
    case "assistant":
      return blocks(event)
        .map((block) =>
          block.type === "text"
            ? String(block.text ?? "")
            : block.type === "tool_use"
              ? `[tool ${block.name}] ${toolInputSummary(block.input)}`
              : `[${block.type}]`,
        )
        .join("\n");
    case "user":
      return blocks(event)
        .map((block) =>
          block.type === "tool_result"
            ? `[${block.is_error ? "tool error" : "tool result"}] ${oneLine(resultText(block.content))}`
            : `[user] ${oneLine(String(block.text ?? ""))}`,
        )
        .join("\n");
    case "result": {
      const cost = typeof event.total_cost_usd === "number" ? `, $${event.total_cost_usd.toFixed(4)}` : "";
      return `[${event.is_error ? "error" : "done"}] ${event.num_turns ?? "?"} turns, ${event.duration_ms ?? "?"} ms${cost}${event.is_error ? `: ${event.result ?? ""}` : ""}`;
    }
    case "raw":
      return String(event.text ?? "");
    default:
      return `[${event.type ?? "?"}]`;
  }
}

/** Who started a job: `agent:NAME` (through its agent API), or `person` (the panel, the CLI, a chat). */
export const startedBy = (job: { agent: string | null }) => (job.agent ? `agent:${job.agent}` : "person");

/** What `jobs list` shows of a job. */
export type JobListRow = Pick<
  RouterOutputs["jobs"]["list"]["jobs"][number],
  "id" | "status" | "errorType" | "sessionId" | "createdAt" | "outputBytes" | "prompt" | "agent"
>;

/** Pure: the jobs as a table, one line each, or what it means that there are none. */
export function formatJobList(
  jobs: JobListRow[],
  { filtered = false, now = Date.now() }: { filtered?: boolean; now?: number } = {},
): string {
  if (jobs.length === 0) return filtered ? "no jobs match" : 'no jobs yet: claw jobs start --prompt "…"';
  const by = Math.max(10, ...jobs.map((job) => startedBy(job).length));
  const rows = jobs.map(
    (job) =>
      `${job.id.padEnd(13)} ${[job.status, job.errorType].filter(Boolean).join(":").padEnd(22)} ${startedBy(job).padEnd(by)} ${job.sessionId.padEnd(13)} ${ago(job.createdAt, now).padEnd(7)} ${size(job.outputBytes).padEnd(10)} ${oneLine(job.prompt, 40)}`,
  );
  return [
    `${"JOB".padEnd(13)} ${"STATUS".padEnd(22)} ${"STARTED BY".padEnd(by)} ${"SESSION".padEnd(13)} ${"AGE".padEnd(7)} ${"OUTPUT".padEnd(10)} PROMPT`,
    ...rows,
  ].join("\n");
}

export function formatJob(job: JobSummary, now = Date.now()): string {
  const started = job.startedAt ? new Date(job.startedAt).getTime() : null;
  const ended = job.finishedAt ? new Date(job.finishedAt).getTime() : now;
  const rows: [string, string | number | null | undefined][] = [
    ["Job", job.id],
    ["Status", [job.status, job.errorType, job.activity].filter(Boolean).join(", ")],
    ["Started by", startedBy(job)],
    ["Session", `${job.sessionId} (template ${job.session.template})`],
    ["Claude session", job.session.claudeSessionId],
    ["Queue", job.status === "pending" ? `${job.queuePosition} ahead` : null],
    ["Elapsed", started ? `${Math.round((ended - started) / 1000)} s` : null],
    ["Exit code", job.exitCode],
    [
      "Output",
      `${size(job.outputBytes)} in ${job.eventCount} events, last ${ago(job.lastOutputAt, now) || "never"}${job.lastOutputAt ? " ago" : ""}`,
    ],
    [
      "Result",
      job.result
        ? `${job.result.numTurns ?? "?"} turns, $${(job.result.costUsd ?? 0).toFixed(4)}, ${job.result.durationMs ?? "?"} ms`
        : null,
    ],
    ["Error", job.errorMessage],
    ["Prompt", oneLine(job.prompt, 200)],
  ];
  return rows
    .filter(([, value]) => value !== null && value !== undefined && value !== "")
    .map(([label, value]) => `${label.padEnd(15)}${value}`)
    .join("\n");
}

/**
 * Prints the job's events from `from` as they come (the panel's `/ws/jobs/ID` socket) until the
 * job ends; returns its final status.
 */
async function followJob(
  panel: PanelConnection,
  id: string,
  from: number,
  options: CommandOptions,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const ws = panel.webSocket(`/ws/jobs/${id}?from=${from}`);
    let status = "";
    ws.on("message", (data) => {
      const message = JSON.parse(String(data)) as { type: string; events?: unknown[]; status?: string };
      if (message.type === "events")
        for (const event of message.events ?? [])
          console.log(options.json ? JSON.stringify(event) : formatJobEvent(event));
      if (message.type === "status" && message.status) {
        status = message.status;
        if (finished.has(status)) ws.close(1000);
      }
    });
    ws.on("close", (code, reason) =>
      finished.has(status)
        ? resolve(status)
        : reject(new CliError(`The job's stream closed (${code} ${reason.toString()})`, exitCodes.failed)),
    );
    ws.on("error", (error) =>
      reject(new CliError(`Could not follow ${id}: ${error.message}`, exitCodes.failed)),
    );
  });
}

const exitOf = (status: string) => (status === "completed" ? exitCodes.ok : exitCodes.failed);
const intOption = (value: string | undefined, name: string, fallback: number) => {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0)
    throw new CliError(`--${name} takes a whole number`, exitCodes.usage);
  return number;
};

export const jobCommands: Record<string, Command> = {
  "jobs start": {
    usage: "jobs start --prompt TEXT|- [--session ID] [--template T] [-f]",
    summary: "run Claude Code on a prompt (- reads it from stdin, out of `ps`); -f prints its events",
    async run(panel, options) {
      if (!options.prompt)
        throw new CliError("usage: claw jobs start --prompt TEXT|- [--session ID] [-f]", exitCodes.usage);
      // An argument is in every local user's process list while the CLI runs; stdin is not.
      const prompt = options.prompt === "-" ? await readStdin() : options.prompt;
      const started = await panel.client.jobs.start.mutate({
        prompt,
        sessionId: options.session,
        template: options.template,
      });
      if (!options.follow) {
        print(options, started, `${started.jobId} queued in session ${started.sessionId}`);
        return exitCodes.ok;
      }
      if (!options.json) console.error(`${started.jobId} in session ${started.sessionId}`);
      return exitOf(await followJob(panel, started.jobId, 0, options));
    },
  },
  "jobs list": {
    usage: "jobs list [--session ID] [--status S] [--agent NAME]",
    summary: "the newest jobs, and who started each: a person, or an agent (agent:NAME)",
    async run(panel, options) {
      const { jobs } = await panel.client.jobs.list.query({
        sessionId: options.session,
        status: options.status as "running" | undefined,
        agent: options.agent,
        limit: 50,
      });
      const filtered = Boolean(options.session || options.status || options.agent);
      print(options, jobs, formatJobList(jobs, { filtered }));
      return exitCodes.ok;
    },
  },
  "jobs status": panelCommand({
    usage: "jobs status ID",
    summary: "a job's status, activity, output size, exit code and error",
    args: 1,
    ask: ({ client, args }) => client.jobs.get.query({ id: firstArg(args) }),
    text: (job) => formatJob(job),
  }),
  "jobs output": {
    usage: "jobs output ID [--offset N] [--limit N] [-f]",
    summary: "a job's events (--json: as Claude Code printed them); -f follows until it ends",
    args: 1,
    async run(panel, options, args) {
      const id = args[0] ?? "";
      const offset = intOption(options.offset, "offset", 0);
      if (options.follow) return exitOf(await followJob(panel, id, offset, options));
      const page = await panel.client.jobs.output.query({
        id,
        offset,
        limit: intOption(options.limit, "limit", 200),
      });
      if (options.json) for (const event of page.events) console.log(JSON.stringify(event));
      else {
        for (const event of page.events) console.log(formatJobEvent(event));
        const end = page.offset + page.events.length;
        if (end < page.total)
          console.error(`(events ${page.offset}–${end - 1} of ${page.total}; --offset ${end} for more)`);
      }
      return exitCodes.ok;
    },
  },
  "jobs cancel": panelCommand({
    usage: "jobs cancel ID",
    summary: "stop a running job or drop a waiting one",
    args: 1,
    ask: ({ client, args }) => client.jobs.cancel.mutate({ id: firstArg(args) }),
    text: (result, args) => `${args[0]}: ${result.status}`,
  }),
  "jobs sessions": panelCommand({
    usage: "jobs sessions",
    summary: "Claude Code sessions: age, last activity, jobs, Claude session id",
    ask: ({ client }) => client.jobs.sessions.query({ includeClosed: false }),
    text(sessions) {
      const now = Date.now();
      const rows = sessions.map(
        (s) =>
          `${s.id.padEnd(13)} ${ago(s.createdAt, now).padEnd(7)} ${ago(s.lastActivityAt, now).padEnd(9)} ${String(s.jobs).padEnd(5)} ${(s.running ? "running" : s.pending ? `${s.pending} waiting` : "").padEnd(10)} ${s.claudeSessionId ?? ""}`,
      );
      return sessions.length === 0
        ? "no open sessions"
        : [
            `${"SESSION".padEnd(13)} ${"AGE".padEnd(7)} ${"IDLE".padEnd(9)} ${"JOBS".padEnd(5)} ${"NOW".padEnd(10)} CLAUDE SESSION`,
            ...rows,
          ].join("\n");
    },
  }),
  "jobs cleanup": panelCommand({
    usage: "jobs cleanup [--session ID] [--idle-hours H] [--remove-workspace]",
    summary: "close idle sessions (their Claude config; the workspace only when asked)",
    async ask({ client, options }) {
      const idleHours = options.idleHours === undefined ? undefined : Number(options.idleHours);
      if (idleHours !== undefined && !(idleHours >= 0))
        throw new CliError("--idle-hours takes a number", exitCodes.usage);
      return client.jobs.cleanup.mutate({
        sessionId: options.session,
        idleHours,
        removeWorkspace: options.removeWorkspace ?? false,
      });
    },
    text(result) {
      const busy = result.busy.length
        ? `; ${result.busy.length} busy (a job runs or waits): ${result.busy.join(", ")}`
        : "";
      return `closed ${result.closed.length} session(s)${result.closed.length ? `: ${result.closed.join(", ")}` : ""}${busy}`;
    },
  }),
  "jobs config": panelCommand({
    usage:
      "jobs config [--base-url U] [--api-key-stdin] [--credentials-file F] [--webhook-url U --webhook-token-file F] [--idle-hours H]",
    summary: "how jobs reach the model API and who hears when they end; no options: show",
    async ask({ client, options }) {
      const changes: Parameters<typeof client.jobs.configure.mutate>[0] = {};
      if (options.baseUrl) changes.baseUrl = options.baseUrl;
      if (options.idleHours !== undefined) changes.sessionIdleHours = Number(options.idleHours);
      if (options.apiKeyStdin) changes.apiKey = (await readStdin()) || null;
      if (options.credentialsFile) changes.credentials = await readFile(options.credentialsFile, "utf8");
      if (options.webhookUrl !== undefined)
        changes.webhook = options.webhookUrl
          ? { url: options.webhookUrl, channel: "last", deliver: true }
          : null;
      if (options.webhookTokenFile)
        changes.webhookToken = (await readFile(options.webhookTokenFile, "utf8")).trim();
      if (Object.keys(changes).length > 0) await client.jobs.configure.mutate(changes);
      return client.jobs.settings.query();
    },
    text(settings) {
      const set = (value: boolean) => (value ? "set" : "not set");
      return [
        `Model API       ${settings.baseUrl}`,
        `API key         ${set(settings.apiKeySet)}`,
        `OAuth login     ${set(settings.credentialsSet)}`,
        `Webhook         ${settings.webhook ? `${settings.webhook.url} (token ${set(settings.webhookTokenSet)})` : "none"}`,
        `Idle sessions   closed after ${settings.sessionIdleHours} h`,
      ].join("\n");
    },
  }),
};
