import type { ApprovalDecision } from "../approvals/approval-decisions";
import type { ApprovalRow, Approvals } from "../approvals/approvals";
import type { AuditEventInput } from "../audit/audit-chain";
import type { AuditLog } from "../audit/audit-log";
import type { Db } from "../db/client";
import { isAppError } from "../errors";
import type { ChannelAdapter, ChannelChoice, ChannelSubject, ChoiceReply } from "./channel";
import type { RateLimiter } from "./rate-limiter";
import { roleAllows } from "./roles";

/** `ap:<approval id>:<choice>`: well under Telegram's 64 bytes of callback data. */
const choicePattern = /^ap:(ap-[a-z2-7]{10}):(once|m10|deny)$/;
const choiceDecisions = {
  once: { kind: "once" },
  m10: { kind: "minutes", minutes: 10 },
  deny: { kind: "deny" },
} satisfies Record<string, ApprovalDecision>;
type ChoiceKey = keyof typeof choiceDecisions;
/** Messages kept to edit when their request ends; the oldest are forgotten past this many requests. */
const maxTracked = 200;

const choice = (id: string, key: ChoiceKey, label: string): ChannelChoice => ({
  label,
  data: `ap:${id}:${key}`,
});
const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** Pure: what the request is, in one line ("web wants example.com:443 (CONNECT) — asked 1× — …"). */
export function requestLine(row: ApprovalRow): string {
  const who = row.job ? `Job ${row.job} on ${row.agent}` : (row.agent ?? "An agent");
  const request = row.path ? `${row.method} ${clip(row.path, 200)}` : row.method;
  const activity = row.activity ? ` — ${clip(row.activity, 300)}` : "";
  return `${who} wants ${row.host}:${row.port} (${request}) — asked ${row.asked}×${activity}`;
}

/** Pure: a request still open, as sent with its buttons. */
export function openText(row: ApprovalRow): string {
  const seconds = Math.max(0, Math.round((row.expiresAt.getTime() - row.createdAt.getTime()) / 1000));
  return `${requestLine(row)}\n${row.id}: answer within ${seconds} s, or it is refused.`;
}

/** The buttons under an open request, and under one that expired unanswered (allowing it late lets the next try through). */
export function choicesFor(row: ApprovalRow): ChannelChoice[][] | undefined {
  if (row.status === "pending")
    return [
      [
        choice(row.id, "once", "Allow once"),
        choice(row.id, "m10", "Allow 10 min"),
        choice(row.id, "deny", "Deny"),
      ],
    ];
  if (row.status === "expired" && row.decision === "timeout")
    return [[choice(row.id, "m10", "Allow 10 min")]];
  return undefined;
}

/**
 * Tells the people who may decide an agent's approval requests (operators and admins paired to
 * it) about each one, with buttons; decides on their press after checking their role again; and
 * edits the messages when the request ends, so no stale button is left to press.
 */
export function createApprovalNotices(deps: {
  db: Db;
  audit: AuditLog;
  approvals: Approvals;
  channels: Map<string, ChannelAdapter>;
  limiter: RateLimiter;
}) {
  const { db, audit, approvals, channels, limiter } = deps;
  type Sent = { channel: string; subjectId: string; ref: string };
  /** Per request: the messages sent about it, and the work on them, one step after another. */
  const tracked = new Map<string, { sent: Sent[]; work: Promise<void> }>();
  /** `channel:subject:approval` while that person's press is being decided: the press edits their message itself. */
  const pressing = new Set<string>();
  let unsubscribe = () => {};

  /** Who decided, as the person reading the chat knows them. */
  async function decider(row: ApprovalRow): Promise<string> {
    const actor = row.decidedBy ?? "";
    const [channel, subjectId] = actor.split(":", 2);
    if (channel && subjectId && channels.has(channel)) {
      const grant = await db.accessGrant.findFirst({
        where: { channel, subjectId, subjectName: { not: null } },
        select: { subjectName: true },
      });
      return `by ${grant?.subjectName ?? `${channel} user ${subjectId}`}`;
    }
    if (row.channel === "panel") return "in the panel";
    if (row.channel === "cli") return "from the CLI";
    return `by ${actor || "someone"}`;
  }

  /** What became of the request, in a few words ("Allowed once by @alice"). */
  async function outcome(row: ApprovalRow): Promise<string> {
    if (row.status === "expired")
      return row.decision === "timeout"
        ? `Expired: ${row.reason ?? "nobody answered in time"}. Allowing it now lets the agent's next try through.`
        : `Closed: ${row.reason ?? "it ended unanswered"}.`;
    if (row.status === "pending") return "Still waiting for a decision.";
    const by = await decider(row);
    if (row.status === "denied") return `Denied ${by}${row.reason ? `: ${row.reason}` : ""}`;
    const grant = row.grantId ? await db.egressGrant.findUnique({ where: { id: row.grantId } }) : null;
    switch (row.decision) {
      case "once":
        return `Allowed once ${by}`;
      case "minutes": {
        const minutes = grant?.expiresAt
          ? Math.round((grant.expiresAt.getTime() - grant.createdAt.getTime()) / 60_000)
          : undefined;
        return `Allowed for ${minutes ?? "some"} min ${by}`;
      }
      case "uses":
        return `Allowed for ${grant ? grant.used + (grant.usesLeft ?? 0) : "some"} connections ${by}`;
      case "until_stop":
        return `Allowed until ${row.agent ?? "it"} stops ${by}`;
      case "always":
        return `Allowed always (added to ${row.agent}'s allowlist) ${by}`;
      default:
        return `Allowed ${by}`;
    }
  }

  const closedText = async (row: ApprovalRow) => `${requestLine(row)}\n\n${await outcome(row)}`;

  function track(id: string) {
    let entry = tracked.get(id);
    if (!entry) {
      entry = { sent: [], work: Promise.resolve() };
      tracked.set(id, entry);
      for (const old of tracked.keys()) {
        if (tracked.size <= maxTracked) break;
        tracked.delete(old);
      }
    }
    return entry;
  }
  function enqueue(id: string, step: (sent: Sent[]) => Promise<void>) {
    const entry = track(id);
    const sent = entry.sent;
    entry.work = entry.work
      .then(() => step(sent))
      .catch((error: Error) => console.error(`claw: approval notices for ${id}: ${error.message}`));
  }

  async function notify(row: ApprovalRow, sent: Sent[]) {
    if (!row.agent) return;
    const grants = await db.accessGrant.findMany({
      where: { agent: row.agent },
      orderBy: { createdAt: "asc" },
    });
    const text = openText(row);
    const choices = choicesFor(row) ?? [];
    for (const grant of grants) {
      if (!roleAllows(grant.role, "operator")) continue;
      const ref = await channels
        .get(grant.channel)
        ?.sendChoices(grant.subjectId, text, choices)
        .catch(() => undefined);
      if (ref) sent.push({ channel: grant.channel, subjectId: grant.subjectId, ref });
    }
  }

  /** The request ended (or was decided late): every message about it says so, but the one whose press decided it. */
  function closeMessages(row: ApprovalRow) {
    // Taken now, while the press that decided it is still marked.
    const skip = new Set([...pressing].filter((key) => key.endsWith(`:${row.id}`)));
    enqueue(row.id, async (sent) => {
      const text = await closedText(row);
      const choices = choicesFor(row);
      for (const message of sent) {
        if (skip.has(`${message.channel}:${message.subjectId}:${row.id}`)) continue;
        await channels
          .get(message.channel)
          ?.edit(message.subjectId, message.ref, text, choices)
          .catch(() => false);
      }
      if (!choices) tracked.delete(row.id);
    });
  }

  async function refuse(
    actor: string,
    agent: string | null,
    details: AuditEventInput["details"],
    notice: string,
  ): Promise<ChoiceReply> {
    await audit.record({
      category: "approval",
      action: "approval_decide_refused",
      actor,
      agent,
      outcome: "denied",
      details,
    });
    return { notice };
  }

  /** A press on one of the buttons: the presser's grant is read now, not when the message was sent. */
  async function choose(
    channel: string,
    subject: ChannelSubject,
    data: string,
  ): Promise<ChoiceReply | undefined> {
    const actor = `${channel}:${subject.id}`;
    const grants = await db.accessGrant.findMany({ where: { channel, subjectId: subject.id } });
    const limited = limiter.take(actor);
    if (limited !== "ok") {
      if (limited === "limited")
        await audit.record({
          category: "access",
          action: `${channel}_rate_limited`,
          actor,
          agent: null,
          outcome: "denied",
          details: { press: data.slice(0, 64) },
        });
      return limited === "limited" && grants.length > 0
        ? { notice: `Too many messages: wait ${limiter.waitSeconds(actor)} s and try again.` }
        : undefined;
    }
    if (grants.length === 0) {
      // Like a message from someone unpaired: nothing back, and audited.
      await audit.record({
        category: "access",
        action: `${channel}_message_refused`,
        actor,
        agent: null,
        outcome: "denied",
        details: { reason: "no grant", press: data.slice(0, 64), subjectName: subject.name ?? null },
      });
      return undefined;
    }
    const match = choicePattern.exec(data);
    if (!match) return { notice: "This button is not one I know; use the panel's Approvals page." };
    const id = match[1] as string;
    const key = match[2] as ChoiceKey;
    const row = await db.approval.findUnique({ where: { id } });
    const grant = row?.agent ? grants.find((candidate) => candidate.agent === row.agent) : undefined;
    const details = { approval: id, choice: key, channel, role: grant?.role ?? null };
    if (!row || !grant)
      return refuse(
        actor,
        null,
        { ...details, reason: "no grant" },
        "You have no access to the agent this request is from.",
      );
    if (!roleAllows(grant.role, "operator"))
      return refuse(
        actor,
        grant.agent,
        { ...details, reason: "role", needs: "operator" },
        `Your role on ${grant.agent} (${grant.role}) cannot decide approvals; an operator or admin can.`,
      );
    const mark = `${channel}:${subject.id}:${id}`;
    pressing.add(mark);
    try {
      const decided = await approvals.decide(id, choiceDecisions[key], { actor, channel: "telegram" });
      const said = await outcome(decided);
      return { notice: said, message: `${requestLine(decided)}\n\n${said}` };
    } catch (error) {
      if (!isAppError(error)) throw error;
      if (error.code !== "CONFLICT") return { notice: `${error.message}. ${error.fix ?? ""}`.trim() };
      const now = await db.approval.findUniqueOrThrow({ where: { id } });
      const said = await outcome(now);
      return { notice: `Already decided: ${said}`, message: await closedText(now), choices: choicesFor(now) };
    } finally {
      pressing.delete(mark);
    }
  }

  return {
    choose,
    start() {
      unsubscribe = approvals.subscribe((event) => {
        if (event.type === "requested") enqueue(event.approval.id, (sent) => notify(event.approval, sent));
        else if (tracked.has(event.approval.id)) closeMessages(event.approval);
      });
    },
    /** Stops listening; sends and edits under way may finish, for a few seconds at most (a Bot API that hangs cannot hold up a shutdown). */
    async close() {
      unsubscribe();
      await Promise.race([
        Promise.allSettled([...tracked.values()].map((entry) => entry.work)),
        new Promise((resolve) => setTimeout(resolve, 3000).unref()),
      ]);
    },
  };
}
export type ApprovalNotices = ReturnType<typeof createApprovalNotices>;
