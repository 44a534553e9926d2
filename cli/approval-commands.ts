import { z } from "zod";
import {
  type ApprovalDecision,
  type ApprovalStatus,
  approvalStatuses,
  describeDecision,
  parseMinutes,
} from "../server/approvals/approval-decisions";
import { dnsLabel, type EgressMode, egressModes } from "../server/policy/template-schema";
import { CliError, exitCodes } from "./cli-error";
import { type Command, type CommandOptions, panelCommand, type RouterOutputs, sleep } from "./command";
import { print } from "./output";
import type { PanelClient } from "./panel-client";

type Approval = RouterOutputs["approvals"]["list"][number];
type Grant = RouterOutputs["approvals"]["grants"][number];
type AuditEvent = RouterOutputs["audit"]["list"]["events"][number];
type When = string | Date;

/** A usage error in the CLI's one shape: what is wrong, then `fix:` and what to type instead. */
const usageError = (message: string, fix: string) => new CliError(`${message}\nfix: ${fix}`, exitCodes.usage);

const approvalId = z.string().regex(/^ap-[a-z2-7]{10}$/);
const grantId = z.string().regex(/^gr-[a-z2-7]{10}$/);

export function approvalIdArg(text: string): string {
  if (approvalId.safeParse(text).success) return text;
  throw usageError(
    `"${text}" is not an approval id: they look like ap-abcdefghij`,
    "claw approvals list shows the requests and their ids.",
  );
}

export function grantIdArg(text: string): string {
  if (grantId.safeParse(text).success) return text;
  throw usageError(
    `"${text}" is not a grant id: they look like gr-abcdefghij`,
    "claw approvals grants lists the grants and their ids.",
  );
}

export function agentArg(text: string | undefined): string | undefined {
  if (text === undefined || dnsLabel.safeParse(text).success) return text;
  throw usageError(
    `"${text}" is not an agent name: they are lowercase letters, digits and '-'`,
    "claw agents list shows the agents' names.",
  );
}

export function statusOption(text: string | undefined): ApprovalStatus | undefined {
  if (text === undefined) return undefined;
  const status = approvalStatuses.find((one) => one === text);
  if (status) return status;
  throw usageError(`--status "${text}" is not a status`, `--status ${approvalStatuses.join("|")}`);
}

export function limitOption(text: string | undefined): number {
  if (text === undefined) return 50;
  const limit = Number(text);
  if (Number.isInteger(limit) && limit >= 1 && limit <= 200) return limit;
  throw usageError(`--limit "${text}" is not a number from 1 to 200`, "--limit 50");
}

export function modeArg(text: string | undefined): EgressMode {
  const mode = egressModes.find((one) => one === text);
  if (mode) return mode;
  throw usageError(
    `"${text ?? ""}" is not an egress mode`,
    `claw approvals mode NAME ${egressModes.join("|")}`,
  );
}

const allowFlags = ["--for", "--uses", "--until-stop", "--always"] as const;
type AllowOptions = Pick<CommandOptions, "for" | "uses" | "untilStop" | "always" | "reason">;

function givenAllowFlags(options: AllowOptions): string[] {
  const given = [options.for !== undefined, options.uses !== undefined, options.untilStop, options.always];
  return allowFlags.filter((_, index) => given[index]);
}

/**
 * Pure: what `allow`'s flags decide: none is once, `--for 10m`, `--uses 5`, `--until-stop` or
 * `--always`; two of them, or a flag that does not parse, is a usage error naming the fix.
 */
export function allowDecision(options: AllowOptions): ApprovalDecision {
  const given = givenAllowFlags(options);
  if (given.length > 1)
    throw usageError(
      `${given.join(" and ")} cannot go together: a request is allowed one way`,
      "give one of --for 10m, --uses 5, --until-stop, --always (none allows it once).",
    );
  if (options.reason !== undefined)
    throw usageError("--reason is for a denial", "claw approvals deny ID --reason TEXT");
  if (options.for !== undefined) {
    const minutes = parseMinutes(options.for);
    if (minutes === undefined)
      throw usageError(`--for "${options.for}" is not a duration`, "--for 90s, 10m, 2h or 1d");
    if (minutes > 7 * 24 * 60)
      throw usageError(`--for "${options.for}" is longer than 7 days`, "--for 7d at most, or --always");
    return { kind: "minutes", minutes };
  }
  if (options.uses !== undefined) {
    const uses = Number(options.uses);
    if (!/^\d+$/.test(options.uses) || uses < 1 || uses > 10_000)
      throw usageError(`--uses "${options.uses}" is not a number from 1 to 10000`, "--uses 5");
    return { kind: "uses", uses };
  }
  if (options.untilStop) return { kind: "until_stop" };
  if (options.always) return { kind: "always" };
  return { kind: "once" };
}

/** Pure: `deny`'s decision; the flags of `allow` have no place in it. */
export function denyDecision(options: AllowOptions): ApprovalDecision {
  const given = givenAllowFlags(options);
  if (given.length > 0)
    throw usageError(
      `${given.join(" and ")} ${given.length > 1 ? "are" : "is"} for allowing, not denying`,
      `claw approvals deny ID [--reason TEXT], or claw approvals allow ID ${given[0]}…`,
    );
  const reason = options.reason?.trim();
  if (reason !== undefined && reason.length > 300)
    throw usageError("--reason is longer than 300 characters", "say it in a sentence: the agent reads it");
  return reason ? { kind: "deny", reason } : { kind: "deny" };
}

/** Pure: a span of seconds as people say it: `45 s`, `10 min`, `3 h`, `2 d`. */
export function span(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} d`;
}

const secondsBetween = (from: When | number, to: When | number) =>
  (new Date(to).getTime() - new Date(from).getTime()) / 1000;

function oneLine(text: string, max: number): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** Who asked (or holds a grant): the agent, or the job. */
export const ownerOf = (row: { agent: string | null; job: string | null }) =>
  row.job ? `job ${row.job}` : (row.agent ?? "?");

/** `CONNECT` for a tunnel, the method and path of a plain-HTTP request. */
export const requestOf = (row: { method: string; path: string | null }) =>
  row.path ? `${row.method} ${oneLine(row.path, 40)}` : row.method;

/** `cli`, `telegram:123`, or `panel:abc (cli)` when the actor does not already say the channel. */
export function decidedByOf(row: { decidedBy: string | null; channel: string | null }): string {
  if (!row.decidedBy) return "";
  const { decidedBy, channel } = row;
  if (!channel || decidedBy === channel || decidedBy.startsWith(`${channel}:`)) return decidedBy;
  return `${decidedBy} via ${channel}`;
}

/** Pure: the decision in a few words, with its grant's terms when the grant is at hand. */
export function decisionText(
  row: Pick<Approval, "status" | "decision" | "reason" | "waiting">,
  grant?: Pick<Grant, "createdAt" | "expiresAt" | "usesLeft" | "used">,
): string {
  switch (row.decision) {
    case null:
      return row.status === "pending" && row.waiting > 0 ? `${row.waiting} held` : "";
    case "once":
      return "once";
    case "minutes":
      return grant?.expiresAt
        ? `for ${span(secondsBetween(grant.createdAt, grant.expiresAt))}`
        : "for a time";
    case "uses":
      return grant ? `${(grant.usesLeft ?? 0) + grant.used} uses` : "some uses";
    case "until_stop":
      return "until stop";
    case "always":
      return "always";
    case "deny":
      return row.reason ? oneLine(row.reason, 40) : "";
    case "timeout":
      return "no answer";
    case "stopped":
      return row.reason ? oneLine(row.reason, 40) : "stopped";
    default:
      return row.decision;
  }
}

/** Pending: how long it still waits; decided: how long ago it was asked. */
export function whenText(row: Pick<Approval, "status" | "createdAt" | "expiresAt">, now: number): string {
  return row.status === "pending"
    ? `expires in ${span(secondsBetween(now, row.expiresAt))}`
    : `${span(secondsBetween(row.createdAt, now))} ago`;
}

/** Pure: pending requests first (oldest, nearest its end, on top), then the rest newest first. */
export function inboxOrder<Row extends Pick<Approval, "id" | "status" | "createdAt">>(rows: Row[]): Row[] {
  const seen = new Set<string>();
  const unique = rows.filter((row) => !seen.has(row.id) && seen.add(row.id));
  const time = (row: Row) => new Date(row.createdAt).getTime();
  const pending = unique.filter((row) => row.status === "pending").sort((a, b) => time(a) - time(b));
  const rest = unique.filter((row) => row.status !== "pending").sort((a, b) => time(b) - time(a));
  return [...pending, ...rest];
}

export type ApprovalListRow = Pick<
  Approval,
  | "id"
  | "agent"
  | "job"
  | "host"
  | "port"
  | "method"
  | "path"
  | "asked"
  | "status"
  | "decision"
  | "decidedBy"
  | "channel"
  | "reason"
  | "grantId"
  | "waiting"
  | "createdAt"
  | "expiresAt"
>;
type GrantTerms = Pick<Grant, "id" | "createdAt" | "expiresAt" | "usesLeft" | "used">;

function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** Pure: the requests as a table, or what it means that there are none. */
export function formatApprovalList(
  rows: ApprovalListRow[],
  {
    grants = [],
    filtered = false,
    now = Date.now(),
  }: { grants?: GrantTerms[]; filtered?: boolean; now?: number } = {},
): string {
  if (rows.length === 0)
    return filtered
      ? "no approval requests match"
      : "no approval requests yet: an agent in ask mode asks here when it reaches a host off its allowlist (claw approvals mode NAME ask)";
  const grantOf = new Map(grants.map((grant) => [grant.id, grant]));
  return table(
    ["ID", "AGENT/JOB", "TARGET", "REQUEST", "ASKED", "STATUS", "DECISION", "BY", "WHEN"],
    rows.map((row) => [
      row.id,
      ownerOf(row),
      `${row.host}:${row.port}`,
      requestOf(row),
      String(row.asked),
      row.status,
      decisionText(row, row.grantId ? grantOf.get(row.grantId) : undefined),
      decidedByOf(row),
      whenText(row, now),
    ]),
  );
}

const endReasons: Record<string, string> = {
  expired: "its time ran out",
  used_up: "its uses ran out",
  revoked: "revoked",
  stopped: "its owner stopped",
};

/** Pure: what a grant still allows, or when and why it ended. */
export function grantStanding(
  grant: Pick<Grant, "kind" | "job" | "expiresAt" | "usesLeft" | "used" | "endedAt" | "endReason">,
  now: number,
): string {
  if (grant.endedAt)
    return `ended ${span(secondsBetween(grant.endedAt, now))} ago: ${endReasons[grant.endReason ?? ""] ?? grant.endReason ?? "?"}`;
  if (grant.kind === "minutes" && grant.expiresAt)
    return `${span(secondsBetween(now, grant.expiresAt))} left`;
  if (grant.kind === "uses")
    return `${grant.usesLeft ?? 0} of ${(grant.usesLeft ?? 0) + grant.used} uses left`;
  return grant.job ? "until the job ends" : "until the agent stops";
}

export type GrantListRow = Pick<
  Grant,
  | "id"
  | "agent"
  | "job"
  | "host"
  | "port"
  | "kind"
  | "expiresAt"
  | "usesLeft"
  | "used"
  | "endedAt"
  | "endReason"
  | "createdBy"
  | "createdAt"
  | "approvalId"
>;

/** Pure: the grants as a table, or what it means that there are none. */
export function formatGrantList(
  grants: GrantListRow[],
  { all = false, now = Date.now() }: { all?: boolean; now?: number } = {},
): string {
  if (grants.length === 0)
    return all
      ? "no grants yet: allowing a request for a time, some uses or until the agent stops makes one"
      : "no grants are counting now (claw approvals grants --all shows the ended ones too)";
  return table(
    ["GRANT", "AGENT/JOB", "TARGET", "KIND", "USED", "STANDING", "BY", "APPROVAL"],
    grants.map((grant) => [
      grant.id,
      ownerOf(grant),
      `${grant.host}:${grant.port}`,
      grant.kind.replace("_", " "),
      String(grant.used),
      grantStanding(grant, now),
      grant.createdBy,
      grant.approvalId ?? "",
    ]),
  );
}

/** Pure: a decision's answer as the person who made it reads it. */
export function formatDecided(
  view: Pick<Approval, "id" | "agent" | "job" | "host" | "port" | "grantId">,
  decision: ApprovalDecision,
): string {
  const lines = [`${view.id}: ${describeDecision(decision)} (${ownerOf(view)} → ${view.host}:${view.port})`];
  if (view.grantId) lines.push(`grant ${view.grantId}: claw approvals revoke ${view.grantId} ends it early`);
  return lines.join("\n");
}

const eventDetails = z
  .object({
    approval: z.string().optional(),
    grant: z.string().nullish(),
    host: z.string().optional(),
    port: z.number().optional(),
    method: z.string().optional(),
    path: z.string().nullish(),
    job: z.string().optional(),
    summary: z.string().optional(),
    channel: z.string().optional(),
    reason: z.string().optional(),
    timeoutSeconds: z.number().optional(),
    used: z.number().optional(),
    held: z.number().optional(),
  })
  .loose();

/**
 * Pure: an approval audit event as one line for `list -f`: requests, decisions, expiries and
 * grants ending; undefined for a grant's each use (one a connection: too many to follow).
 */
export function formatApprovalEvent(
  event: Pick<AuditEvent, "time" | "action" | "actor" | "agent" | "details">,
): string | undefined {
  const parsed = eventDetails.safeParse(event.details);
  const details = parsed.success ? parsed.data : {};
  const target = `${details.host ?? "?"}:${details.port ?? "?"}`;
  const owner = details.job ? `job ${details.job}` : (event.agent ?? "?");
  const id = details.approval ?? "";
  const time = String(event.time);
  switch (event.action) {
    case "approval_requested":
      return `${time}  ${id}  asked     ${owner} → ${target} ${requestOf({ method: details.method ?? "CONNECT", path: details.path ?? null })}${details.timeoutSeconds ? `, waits ${details.timeoutSeconds} s` : ""}: claw approvals allow ${id}`;
    case "approval_decided":
      return `${time}  ${id}  decided   ${owner} → ${target} ${details.summary ?? ""} by ${decidedByOf({ decidedBy: event.actor, channel: details.channel ?? null })}${details.grant ? ` (grant ${details.grant})` : ""}`;
    case "approval_expired":
      return `${time}  ${id}  expired   ${owner} → ${target}: ${details.reason ?? ""}`;
    case "approval_grant_ended":
      return `${time}  ${details.grant ?? ""}  ended     ${owner} → ${target}: ${endReasons[details.reason ?? ""] ?? details.reason ?? ""}, used ${details.used ?? 0}×`;
    case "approval_grant_revoked":
      return `${time}  ${details.grant ?? ""}  revoked   ${owner} → ${target} by ${event.actor}, used ${details.used ?? 0}×`;
    default:
      return undefined;
  }
}

/** Pure: what an egress mode means for the agent, in a sentence's second half. */
export function modeMeaning(mode: EgressMode): string {
  switch (mode) {
    case "deny":
      return "connections to hosts off its allowlist are refused";
    case "ask":
      return "a connection to a host off its allowlist waits for a person's answer (claw approvals list -f)";
    case "learn":
      return "connections to hosts off its allowlist go through and are recorded (claw audit tail --category egress)";
  }
}

/** The grants behind decided rows, for their terms (minutes, uses); none needed, none asked. */
async function grantsFor(client: PanelClient, rows: ApprovalListRow[], agent: string | undefined) {
  if (!rows.some((row) => row.grantId)) return [];
  return client.approvals.grants.query({ agent, ended: true });
}

/**
 * `list -f`: the requests waiting now, then each approval event as it is recorded, until Ctrl-C.
 * It polls the audit log as `claw audit tail -f` does: the `/ws/audit` socket is a browser's only.
 */
async function followApprovals(
  client: PanelClient,
  options: CommandOptions,
  agent: string | undefined,
): Promise<never> {
  const filter = { category: "approval" as const, agent };
  // The cursor first: an event recorded while the pending ones load is shown, not lost.
  let after = (await client.audit.list.query({ filter, limit: 1 })).events[0]?.id ?? 0;
  const pending = await client.approvals.list.query({ status: "pending", agent, limit: 200 });
  if (options.json) for (const row of pending) console.log(JSON.stringify(row));
  else {
    if (pending.length > 0) console.log(formatApprovalList(inboxOrder(pending)));
    console.error(
      `claw: ${pending.length === 0 ? "no requests wait now; " : ""}following approval requests and decisions (Ctrl-C stops)`,
    );
  }
  for (;;) {
    await sleep(1000);
    const next = await client.audit.list.query({ filter, after, limit: 200 });
    for (const event of next.events) {
      const line = options.json ? JSON.stringify(event) : formatApprovalEvent(event);
      if (line) console.log(line);
    }
    after = next.events.at(-1)?.id ?? after;
  }
}

export const approvalCommands: Record<string, Command> = {
  "approvals list": {
    usage: "approvals list [-f] [--agent NAME] [--status S] [--limit N]",
    summary: "agents' requests for hosts off their allowlist, pending first; -f follows",
    async run({ client }, options) {
      const agent = agentArg(options.agent);
      const status = statusOption(options.status);
      const limit = limitOption(options.limit);
      if (options.follow) {
        if (status)
          throw usageError("-f follows every request and decision", "drop --status, or drop -f for the list");
        return followApprovals(client, options, agent);
      }
      const rows = status
        ? await client.approvals.list.query({ status, agent, limit })
        : inboxOrder([
            ...(await client.approvals.list.query({ status: "pending", agent, limit: 200 })),
            ...(await client.approvals.list.query({ agent, limit })),
          ]);
      const grants = options.json ? [] : await grantsFor(client, rows, agent);
      print(options, rows, formatApprovalList(rows, { grants, filtered: Boolean(agent || status) }));
      return exitCodes.ok;
    },
  },
  "approvals allow": {
    usage: "approvals allow ID [--for 10m|--uses N|--until-stop|--always]",
    summary: "let a request through: once (no flag), for a time, N connections, until stop, always",
    args: 1,
    async run({ client }, options, args) {
      const id = approvalIdArg(args[0] ?? "");
      const decision = allowDecision(options);
      const view = await client.approvals.decide.mutate({ id, decision });
      print(options, view, formatDecided(view, decision));
      return exitCodes.ok;
    },
  },
  "approvals deny": {
    usage: "approvals deny ID [--reason TEXT]",
    summary: "refuse a request; the agent reads the reason",
    args: 1,
    async run({ client }, options, args) {
      const id = approvalIdArg(args[0] ?? "");
      const decision = denyDecision(options);
      const view = await client.approvals.decide.mutate({ id, decision });
      print(options, view, formatDecided(view, decision));
      return exitCodes.ok;
    },
  },
  "approvals grants": {
    usage: "approvals grants [--agent NAME] [--all]",
    summary: "what decisions still allow, time or uses left; --all: ended ones too, and why",
    async run({ client }, options) {
      const agent = agentArg(options.agent);
      const all = options.all === true;
      const grants = await client.approvals.grants.query({ agent, ended: all });
      print(options, grants, formatGrantList(grants, { all }));
      return exitCodes.ok;
    },
  },
  "approvals revoke": panelCommand({
    usage: "approvals revoke GRANT_ID",
    summary: "end a grant now: the next connection asks again",
    args: 1,
    ask: ({ client, args }) => client.approvals.revoke.mutate({ id: grantIdArg(args[0] ?? "") }),
    text: (grant) =>
      `${grant.id} revoked: ${ownerOf(grant)} → ${grant.host}:${grant.port} asks again (it was used ${grant.used}×)`,
  }),
  "approvals mode": panelCommand({
    usage: "approvals mode NAME deny|ask|learn",
    summary: "what an agent does with hosts off its allowlist (its own template copy, re-locked)",
    args: 2,
    async ask({ client, args }) {
      const agent = agentArg(args[0]) ?? "";
      const mode = modeArg(args[1]);
      const changed = await client.approvals.setMode.mutate({ agent, mode });
      const listed = (await client.agents.list.query()).agents.find((one) => one.name === agent);
      return { agent, mode: changed.mode, allow: changed.after, running: listed?.live?.state === "running" };
    },
    text: ({ agent, mode, running }) =>
      [
        `${agent}'s egress mode is now ${mode}: ${modeMeaning(mode)}.`,
        ...(running ? [`${agent} is running: its egress proxy applies the mode now.`] : []),
      ].join("\n"),
  }),
};
