import { createWriteStream } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { auditCategories } from "../shared/audit-categories";
import { CliError, exitCodes } from "./cli-error";
import { type Command, type CommandOptions, panelCommand, type RouterOutputs, sleep } from "./command";

type AuditEvent = RouterOutputs["audit"]["list"]["events"][number];

export function formatAuditEvent(
  event: Pick<AuditEvent, "time" | "id" | "category" | "action" | "actor" | "agent" | "outcome" | "details">,
): string {
  const details = JSON.stringify(event.details);
  return [
    event.time,
    `#${event.id}`,
    `${event.category}/${event.action}`,
    event.actor,
    event.agent ?? "-",
    event.outcome,
    details === "{}" ? "" : details,
  ]
    .join("  ")
    .trimEnd();
}

export function formatVerification(result: RouterOutputs["audit"]["verify"]): string {
  if (result.ok)
    return `ok: ${result.rows} events, ${result.checkpoints} signed checkpoints (last at ${result.lastCheckpointSize}; ${result.uncoveredRows} newer events covered by the chain only), verified in ${result.durationMs} ms\nkey ${result.keyId}`;
  const [first, ...more] = result.problems;
  return [`TAMPERED: ${first?.message}`, ...more.map((problem) => `  also: ${problem.message}`)].join("\n");
}

const categories = auditCategories;

/** `--category` and `--agent` as the audit list takes them; an unknown category is a usage error. */
export function auditFilter(options: Pick<CommandOptions, "category" | "agent">) {
  const category = options.category as (typeof categories)[number] | undefined;
  if (category !== undefined && !categories.includes(category)) {
    throw new CliError(`--category must be one of ${categories.join(", ")}`, exitCodes.usage);
  }
  return { category, agent: options.agent };
}

export const auditCommands: Record<string, Command> = {
  "audit tail": {
    usage: "audit tail [-n N] [-f] [--category C] [--agent NAME]",
    summary: "the latest audit events (-f keeps following)",
    async run({ client }, options) {
      const count = Number(options.lines ?? 20);
      if (!Number.isInteger(count) || count < 1 || count > 200)
        throw new CliError("-n takes 1 to 200", exitCodes.usage);
      const filter = auditFilter(options);
      const show = (event: AuditEvent) =>
        console.log(options.json ? JSON.stringify(event) : formatAuditEvent(event));
      const latest = await client.audit.list.query({ filter, limit: count });
      for (const event of [...latest.events].reverse()) show(event);
      if (!options.follow) return exitCodes.ok;
      let after = latest.events[0]?.id ?? (await client.audit.summary.query()).events;
      for (;;) {
        await sleep(1000);
        const next = await client.audit.list.query({ filter, after, limit: 200 });
        for (const event of next.events) show(event);
        after = next.events.at(-1)?.id ?? after;
      }
    },
  },
  "audit verify": panelCommand({
    usage: "audit verify",
    summary: "recompute the hash chain and check every signed checkpoint; exits 1 on tampering",
    ask: ({ client }) => client.audit.verify.mutate(),
    text: (result) => formatVerification(result),
    failed: (result) => !result.ok,
  }),
  "audit export": {
    usage: "audit export [--since TIME] [--agent NAME] [-o FILE]",
    summary: "the log as JSONL (events with hashes, then the checkpoints) to stdout or FILE",
    async run(panel, options) {
      const query = new URLSearchParams();
      if (options.since) query.set("since", options.since);
      if (options.agent) query.set("agent", options.agent);
      const response = await panel.fetch(`/api/audit/export?${query}`);
      if (!response.ok || !response.body) {
        const body = (await response.json().catch(() => ({}))) as { error?: string };
        throw new CliError(`Export refused: ${body.error ?? response.statusText}`, exitCodes.failed);
      }
      const source = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
      await pipeline(
        source,
        options.output ? createWriteStream(options.output, { mode: 0o600 }) : process.stdout,
      );
      if (options.output) console.error(`claw: audit log exported to ${options.output}`);
      return exitCodes.ok;
    },
  },
};
