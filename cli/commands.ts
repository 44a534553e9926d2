import { createWriteStream } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import type { inferRouterOutputs } from "@trpc/server";
import { z } from "zod";
import type { AppRouter } from "../server/routers/root";
import { accessCommands } from "./access-commands";
import { agentCommands } from "./agent-commands";
import { imageCommands } from "./image-commands";
import { jobCommands } from "./job-commands";
import { print } from "./output";
import { CliError, exitCodes, type PanelConnection } from "./panel-client";
import { policyCommands } from "./policy-commands";

type Outputs = inferRouterOutputs<AppRouter>;
type AuditEvent = Outputs["audit"]["list"]["events"][number];

export type CommandOptions = {
  json: boolean;
  follow: boolean;
  lines?: string;
  since?: string;
  agent?: string;
  category?: string;
  output?: string;
  template?: string;
  name?: string;
  noCache?: boolean;
  noWait?: boolean;
  force?: boolean;
  interactive?: boolean;
  tty?: boolean;
  prompt?: string;
  session?: string;
  status?: string;
  offset?: string;
  limit?: string;
  idleHours?: string;
  removeWorkspace?: boolean;
  baseUrl?: string;
  apiKeyStdin?: boolean;
  credentialsFile?: string;
  webhookUrl?: string;
  webhookTokenFile?: string;
  role?: string;
  expires?: string;
  tokenStdin?: boolean;
  apiRoot?: string;
  remove?: boolean;
  jobs?: boolean;
  noJobs?: boolean;
  perHour?: string;
};

export type Command = {
  usage: string;
  summary: string;
  /**
   * How many positional arguments follow the command words (an agent or template name); "rest": a
   * name and a command; "optional": none or one.
   */
  args?: number | "rest" | "optional";
  run(panel: PanelConnection, options: CommandOptions, args: string[]): Promise<number>;
};

const mark = { ok: " ok ", warn: "WARN", fail: "FAIL" } as const;

export function formatDoctor(checks: Outputs["doctor"]["run"]): string {
  const width = Math.max(...checks.map((check) => check.title.length));
  return checks
    .map((check) => {
      const line = `${mark[check.status]}  ${check.title.padEnd(width)}  ${check.detail}`;
      return check.fix ? `${line}\n      ${" ".repeat(width)}  fix: ${check.fix}` : line;
    })
    .join("\n");
}

export function formatStatus(status: Outputs["system"]["status"]): string {
  const { panel, podman } = status;
  const lines = [
    `Panel   running  v${panel.version}  ${panel.url}  up ${panel.uptimeSeconds} s`,
    `        state: ${panel.home}`,
  ];
  if (!podman.reachable) {
    lines.push(`Podman  NOT REACHABLE  ${podman.error?.message ?? ""}`);
    if (podman.error?.fix) lines.push(`        fix: ${podman.error.fix}`);
    return lines.join("\n");
  }
  const mode = podman.rootless === undefined ? "" : podman.rootless ? "rootless" : "rootful";
  lines.push(
    `Podman  connected  ${podman.version ?? "?"}  ${mode}  cgroups ${podman.cgroupVersion ?? "?"}  ${podman.ociRuntime ?? "?"}`,
    `        socket: ${podman.socketPath ?? "?"} (${podman.source ?? "?"})`,
  );
  if (podman.containers)
    lines.push(`        containers: ${podman.containers.running} running of ${podman.containers.total}`);
  lines.push(
    `        host workaround: ${podman.workaround.active ? `active (${podman.workaround.reasons.join("; ")})` : "not needed"}`,
  );
  return lines.join("\n");
}

export function formatAuditEvent(event: AuditEvent): string {
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

function auditFilter(options: CommandOptions) {
  const categories = ["lifecycle", "policy", "access", "terminal", "job", "egress", "panel"] as const;
  const category = options.category as (typeof categories)[number] | undefined;
  if (category !== undefined && !categories.includes(category)) {
    throw new CliError(`--category must be one of ${categories.join(", ")}`, exitCodes.usage);
  }
  return { category, agent: options.agent };
}

const loginCodeAnswer = z.object({ url: z.string().url(), expiresAt: z.string() });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const coreCommands: Record<string, Command> = {
  status: {
    usage: "status",
    summary: "the panel and Podman at a glance",
    async run({ client }, options) {
      const status = await client.system.status.query();
      print(options, status, formatStatus(status));
      return status.podman.reachable ? exitCodes.ok : exitCodes.failed;
    },
  },
  "login-url": {
    usage: "login-url",
    summary: "a fresh login link for the browser (works once, for 10 minutes)",
    async run(panel, options) {
      const response = await panel.fetch("/api/login-code", { method: "POST" });
      const body = loginCodeAnswer.safeParse(await response.json().catch(() => undefined));
      if (!response.ok || !body.success)
        throw new CliError(`The panel gave no login link (HTTP ${response.status})`, exitCodes.failed);
      print(options, body.data, `${body.data.url}\n(works once, until ${body.data.expiresAt})`);
      return exitCodes.ok;
    },
  },
  doctor: {
    usage: "doctor",
    summary: "check this host; exits 1 when a check fails",
    async run({ client }, options) {
      const checks = await client.doctor.run.query();
      print(options, checks, formatDoctor(checks));
      return checks.some((check) => check.status === "fail") ? exitCodes.failed : exitCodes.ok;
    },
  },
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
  "audit verify": {
    usage: "audit verify",
    summary: "recompute the hash chain and check every signed checkpoint; exits 1 on tampering",
    async run({ client }, options) {
      const result = await client.audit.verify.mutate();
      const text = result.ok
        ? `ok: ${result.rows} events, ${result.checkpoints} signed checkpoints (last at ${result.lastCheckpointSize}; ${result.uncoveredRows} newer events covered by the chain only), verified in ${result.durationMs} ms\nkey ${result.keyId}`
        : `TAMPERED: ${result.problems[0]?.message}\n${result.problems
            .slice(1)
            .map((problem) => `  also: ${problem.message}`)
            .join("\n")}`.trimEnd();
      print(options, result, text);
      return result.ok ? exitCodes.ok : exitCodes.failed;
    },
  },
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

export const commands: Record<string, Command> = {
  ...coreCommands,
  ...policyCommands,
  ...agentCommands,
  ...imageCommands,
  ...jobCommands,
  ...accessCommands,
};
