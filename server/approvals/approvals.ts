import type { AuditLog } from "../audit/audit-log";
import type { Db } from "../db/client";
import type { EgressOwner, UnlistedDecision, UnlistedTarget } from "../egress/egress-proxy";
import { egressOwnerKey } from "../egress/egress-proxy";
import { AppError } from "../errors";
import { newShortId } from "../short-id";
import {
  type ApprovalChannel,
  type ApprovalDecision,
  type ApprovalStatus,
  allowlistEntry,
  describeDecision,
} from "./approval-decisions";

/**
 * The inbox of everything a person must decide: today, connections an agent (or job) in `ask` mode
 * makes to a host off its allowlist. The proxy holds the connection while the request waits here;
 * identical requests (same owner, host and port) collapse into one. A decision lets the held
 * connections through (and may leave a grant that lets later ones through while it lasts), or
 * refuses them with a reason the agent reads. Rows are the history; what is held lives in memory.
 */
export type ApprovalRow = Awaited<ReturnType<Db["approval"]["findFirstOrThrow"]>>;
export type GrantRow = Awaited<ReturnType<Db["egressGrant"]["findFirstOrThrow"]>>;

export type ApprovalView = ApprovalRow & {
  /** Connections held open for this request right now. */
  waiting: number;
};

export type ApprovalEvent = { type: "requested" | "decided" | "expired"; approval: ApprovalRow };

export type Approvals = {
  /**
   * The egress proxy's question for a host off the list in `ask` mode: a grant, or a held answer.
   * `signal` aborts when the agent hangs up: its place in the queue is given back at once.
   */
  ask(
    owner: EgressOwner,
    target: UnlistedTarget,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<UnlistedDecision>;
  /** Closes `close` when the grant ends by time, revocation or stop; returns the untrack. */
  trackGrant(grant: string, close: () => void): () => void;
  decide(
    id: string,
    decision: ApprovalDecision,
    by: { actor: string; channel: ApprovalChannel },
  ): Promise<ApprovalView>;
  revoke(grantId: string, by: { actor: string; channel: ApprovalChannel }): Promise<GrantRow>;
  get(id: string): Promise<ApprovalView>;
  list(filter: {
    status?: ApprovalStatus;
    agent?: string;
    limit: number;
    before?: string;
  }): Promise<ApprovalView[]>;
  /** Grants still counting (or, with `ended`, the recent history too). */
  grants(filter: { agent?: string; ended?: boolean }): Promise<GrantRow[]>;
  pendingCount(): number;
  /** The agent or job stopped: its held requests are refused, its "until it stops" grants end. */
  ownerStopped(owner: EgressOwner): Promise<void>;
  /** The agent was deleted: every grant of its ends, and what it held is refused. */
  ownerDeleted(owner: EgressOwner): Promise<void>;
  /** Each request raised, decided or expired, for the channels that tell people (Telegram). */
  subscribe(listener: (event: ApprovalEvent) => void): () => void;
  /** At the panel's start: requests a previous run held are gone with their connections. */
  start(): Promise<void>;
  close(): void;
};

type Held = {
  id: string;
  key: string;
  owner: EgressOwner;
  target: UnlistedTarget;
  /** In arrival order: "N uses" lets the first N through. */
  waiters: Set<(decision: UnlistedDecision) => void>;
  /** Connections collapsed into this request, counted here and written when it closes. */
  asked: number;
  /** Set once the request's row is written: an answer cannot come before it is asked. */
  timer?: NodeJS.Timeout;
  /** A decision is under way (an "always" re-locks first): the clock does not close it meanwhile. */
  deciding?: boolean;
};

export type ApprovalsDeps = {
  db: Db;
  audit: AuditLog;
  /** Writes the host into the agent's own template copy and re-locks it; returns the allowlist diff. */
  allowAlways(
    agent: string,
    entry: string,
    actor: string,
    why: string,
  ): Promise<{ before: string[]; after: string[] }>;
  /** What the agent was doing when it asked (its last tool call), best effort. */
  activityOf?(owner: EgressOwner): Promise<string | null>;
  /** How often grants past their time are ended and audited. */
  sweepMs?: number;
};

/** Distinct requests one agent or job may have waiting at once; more are refused without asking. */
export const maxPendingPerOwner = 10;
/** New requests one agent or job may raise in an hour: people are not paged without end. */
export const maxRequestsPerHour = 30;
/** Connections one request may hold; more to the same host are refused at once. */
export const maxWaitersPerRequest = 32;
/** How long a person's denial stands for that host:port before the agent may ask again. */
export const denialMemoryMs = 10 * 60_000;

const ownerActor = (owner: EgressOwner) => ("agent" in owner ? `agent:${owner.agent}` : `job:${owner.job}`);
const ownerWhere = (owner: EgressOwner) =>
  "agent" in owner ? { agent: owner.agent, job: null } : { job: owner.job };

export function createApprovals(deps: ApprovalsDeps): Approvals {
  const { db, audit } = deps;
  const held = new Map<string, Held>();
  const heldByKey = new Map<string, string>();
  const listeners = new Set<(event: ApprovalEvent) => void>();
  /** A person's denials by owner and host:port, so the agent cannot page them again at once. */
  const denials = new Map<string, { until: number; reason: string; approval: string }>();
  /** When each owner raised its requests in the last hour. */
  const raised = new Map<string, number[]>();
  /** What to close when a grant ends early: connections opened under it. */
  const grantConnections = new Map<string, Set<() => void>>();
  /** Late decisions (on requests past their time) under way. */
  const lateDeciding = new Set<string>();
  let sweep: NodeJS.Timeout | undefined;

  const emit = (type: ApprovalEvent["type"], approval: ApprovalRow) => {
    for (const listener of listeners) {
      try {
        listener({ type, approval });
      } catch (error) {
        console.error(`claw: approvals: a listener failed: ${(error as Error).message}`);
      }
    }
  };
  // Reading the transcript copies a file: once per owner every few seconds, however many hosts it asks for.
  const activities = new Map<string, { at: number; value: Promise<string | null> }>();
  const activityOf = (owner: EgressOwner) => {
    if (!deps.activityOf) return Promise.resolve(null);
    const key = egressOwnerKey(owner);
    const cached = activities.get(key);
    if (cached && Date.now() - cached.at < 5000) return cached.value;
    for (const [other, entry] of activities) if (Date.now() - entry.at >= 5000) activities.delete(other);
    const value = deps.activityOf(owner).catch(() => null);
    activities.set(key, { at: Date.now(), value });
    return value;
  };
  const view = (row: ApprovalRow): ApprovalView => {
    const entry = held.get(row.id);
    return { ...row, asked: Math.max(row.asked, entry?.asked ?? 0), waiting: entry?.waiters.size ?? 0 };
  };
  /** Answers every connection held for `id` (the n-th one gets `decision(n)`); how many there were. */
  const release = (id: string, decision: UnlistedDecision | ((index: number) => UnlistedDecision)) => {
    const entry = held.get(id);
    if (!entry) return 0;
    held.delete(id);
    heldByKey.delete(entry.key);
    if (entry.timer) clearTimeout(entry.timer);
    let index = 0;
    for (const waiter of entry.waiters) waiter(typeof decision === "function" ? decision(index++) : decision);
    return entry.waiters.size;
  };
  const keyOf = (owner: EgressOwner, host: string, port: number) =>
    `${egressOwnerKey(owner)}\n${host}:${port}`;

  async function endGrant(
    grant: GrantRow,
    reason: "expired" | "used_up" | "revoked" | "stopped",
    actor: string,
  ) {
    const ended = await audit.transaction(async (tx, record) => {
      const ended = await tx.egressGrant.updateMany({
        where: { id: grant.id, endedAt: null },
        data: { endedAt: new Date(), endReason: reason },
      });
      if (ended.count === 0) return undefined;
      await record({
        category: "approval",
        action: reason === "revoked" ? "approval_grant_revoked" : "approval_grant_ended",
        actor,
        agent: grant.agent,
        outcome: "ok",
        details: {
          grant: grant.id,
          approval: grant.approvalId,
          host: grant.host,
          port: grant.port,
          kind: grant.kind,
          reason,
          used: grant.used,
          ...(grant.job ? { job: grant.job } : {}),
        },
      });
      return tx.egressGrant.findUniqueOrThrow({ where: { id: grant.id } });
    });
    // A grant that ends by time, revocation or stop ends what was opened under it too; used-up
    // connections were within their count.
    if (reason !== "used_up") for (const close of grantConnections.get(grant.id) ?? []) close();
    grantConnections.delete(grant.id);
    return ended;
  }

  /** A live grant for this owner and host:port, one use taken (atomically: two cannot share the last). */
  async function takeGrantUse(owner: EgressOwner, host: string, port: number) {
    const now = new Date();
    const candidates = await db.egressGrant.findMany({
      where: { ...ownerWhere(owner), host, port, endedAt: null },
      orderBy: { createdAt: "asc" },
    });
    for (const grant of candidates) {
      if (grant.expiresAt && grant.expiresAt <= now) {
        await endGrant(grant, "expired", "system");
        continue;
      }
      const taken = await db.egressGrant.updateMany({
        where: { id: grant.id, endedAt: null, ...(grant.usesLeft === null ? {} : { usesLeft: { gt: 0 } }) },
        data: { used: { increment: 1 }, ...(grant.usesLeft === null ? {} : { usesLeft: { decrement: 1 } }) },
      });
      if (taken.count === 0) continue;
      const after = await db.egressGrant.findUniqueOrThrow({ where: { id: grant.id } });
      await audit.record({
        category: "approval",
        action: "approval_grant_used",
        actor: ownerActor(owner),
        agent: grant.agent,
        outcome: "ok",
        details: {
          grant: grant.id,
          host,
          port,
          used: after.used,
          usesLeft: after.usesLeft,
          expiresAt: after.expiresAt?.toISOString() ?? null,
          ...(grant.job ? { job: grant.job } : {}),
        },
      });
      if (after.usesLeft === 0) await endGrant(after, "used_up", "system");
      return after;
    }
    return undefined;
  }

  /**
   * Closes a request nobody decided: recorded first, then its held connections are refused. One a
   * person is deciding right now, or decided meanwhile, is left to that decision.
   */
  async function expire(id: string, decision: "timeout" | "stopped", reason: string) {
    const entry = held.get(id);
    if (entry?.deciding) return;
    const where = entry ? `${entry.target.host}:${entry.target.port}` : "the host";
    const waiting = entry?.waiters.size ?? 0;
    let closed = false;
    try {
      const row = await db.approval.findUnique({ where: { id } });
      if (!row) closed = true;
      if (row?.status !== "pending") return;
      const updated = await audit.transaction(async (tx, record) => {
        const changed = await tx.approval.updateMany({
          where: { id, status: "pending" },
          data: {
            status: "expired",
            decision,
            reason,
            asked: Math.max(row.asked, entry?.asked ?? 0),
            decidedAt: new Date(),
            channel: "system",
            decidedBy: "system",
          },
        });
        if (changed.count === 0) return undefined;
        await record({
          category: "approval",
          action: "approval_expired",
          actor: "system",
          agent: row.agent,
          outcome: "denied",
          details: {
            approval: id,
            host: row.host,
            port: row.port,
            reason,
            asked: Math.max(row.asked, entry?.asked ?? 0),
            held: waiting,
          },
        });
        return tx.approval.findUniqueOrThrow({ where: { id } });
      });
      closed = updated !== undefined;
      if (updated) emit("expired", updated);
    } finally {
      // Also when recording failed: a held connection is never left hanging.
      if (closed || held.get(id)?.deciding !== true)
        release(id, {
          allowed: false,
          approval: id,
          reason:
            decision === "timeout"
              ? `${where} is not in this agent's allowlist and nobody answered its approval request ${id} in time. Ask the person running this agent to allow it (panel → Approvals, or claw approvals allow ${id} --for 10m), then try again.`
              : `${where} was not decided before ${reason}`,
        });
    }
  }

  /** Writes and announces a request `ask` holds already, and starts its clock. */
  async function raise(id: string, owner: EgressOwner, target: UnlistedTarget, timeoutMs: number) {
    const entry = held.get(id);
    if (!entry) return;
    try {
      const agent =
        "agent" in owner
          ? owner.agent
          : ((await db.job.findUnique({ where: { id: owner.job }, select: { agent: true } }))?.agent ?? null);
      const activity = await Promise.race([
        activityOf(owner),
        new Promise<null>((resolve) => setTimeout(() => resolve(null), 2000).unref()),
      ]);
      const row = await audit.transaction(async (tx, record) => {
        const created = await tx.approval.create({
          data: {
            id,
            agent,
            job: "job" in owner ? owner.job : null,
            host: target.host,
            port: target.port,
            method: target.method,
            path: target.path?.slice(0, 2000) ?? null,
            activity: activity?.slice(0, 500) ?? null,
            expiresAt: new Date(Date.now() + timeoutMs),
          },
        });
        await record({
          category: "approval",
          action: "approval_requested",
          actor: ownerActor(owner),
          agent,
          outcome: "ok",
          details: {
            approval: id,
            host: target.host,
            port: target.port,
            method: target.method,
            path: target.path?.slice(0, 2000) ?? null,
            activity,
            timeoutSeconds: Math.round(timeoutMs / 1000),
            ...("job" in owner ? { job: owner.job } : {}),
          },
        });
        return created;
      });
      if (!held.has(id)) return;
      entry.timer = setTimeout(() => {
        void expire(id, "timeout", `nobody answered within ${Math.round(timeoutMs / 1000)} s`).catch(
          (error: Error) => console.error(`claw: approvals: could not expire ${id}: ${error.message}`),
        );
      }, timeoutMs);
      entry.timer.unref();
      emit("requested", row);
    } catch (error) {
      // Not recorded, not asked: the held connections are refused rather than left hanging.
      console.error(
        `claw: approvals: could not record a request of ${egressOwnerKey(owner)}: ${(error as Error).message}`,
      );
      release(id, { allowed: false, reason: "the panel could not record the approval request" });
    }
  }

  /** Records a decision a person made and answers the connections held for it. */
  async function settle(
    row: ApprovalRow,
    owner: EgressOwner,
    entry: Held | undefined,
    decision: ApprovalDecision,
    by: { actor: string; channel: ApprovalChannel },
    late: boolean,
  ): Promise<ApprovalView> {
    const id = row.id;
    const waiting = entry?.waiters.size ?? 0;
    // "N uses" lets the first N held connections through; the rest are refused and may ask again.
    const passing = decision.kind === "uses" ? Math.min(decision.uses, waiting) : waiting;
    let policyChange: { before: string[]; after: string[] } | undefined;
    if (decision.kind === "always" && row.agent)
      policyChange = await deps.allowAlways(
        row.agent,
        allowlistEntry(row.host, row.port),
        by.actor,
        `approval ${id}`,
      );
    const denied = decision.kind === "deny";
    const grantKind =
      decision.kind === "minutes" || decision.kind === "uses" || decision.kind === "until_stop"
        ? decision.kind
        : decision.kind === "always"
          ? "until_stop"
          : undefined;
    const { updated, grant } = await audit.transaction(async (tx, record) => {
      const changed = await tx.approval.updateMany({
        where: { id, status: row.status },
        data: { status: "pending" },
      });
      if (changed.count === 0)
        throw new AppError("CONFLICT", `${id} was decided by someone else just now`, {
          fix: "claw approvals list shows what was decided.",
        });
      const usesLeft = decision.kind === "uses" ? decision.uses - passing : null;
      const grant = grantKind
        ? await tx.egressGrant.create({
            data: {
              id: newShortId("gr"),
              ...ownerWhere(owner),
              agent: row.agent,
              host: row.host,
              port: row.port,
              kind: grantKind,
              expiresAt:
                decision.kind === "minutes" ? new Date(Date.now() + decision.minutes * 60_000) : null,
              usesLeft,
              used: passing,
              approvalId: id,
              createdBy: by.actor,
              ...(usesLeft === 0 ? { endedAt: new Date(), endReason: "used_up" } : {}),
            },
          })
        : undefined;
      const reason = denied ? decision.reason || null : null;
      const updated = await tx.approval.update({
        where: { id },
        data: {
          status: denied ? "denied" : "allowed",
          decision: decision.kind,
          decidedBy: by.actor,
          channel: by.channel,
          reason,
          grantId: grant?.id ?? null,
          asked: Math.max(row.asked, entry?.asked ?? 0),
          decidedAt: new Date(),
        },
      });
      await record({
        category: "approval",
        action: "approval_decided",
        actor: by.actor,
        agent: row.agent,
        outcome: denied ? "denied" : "ok",
        details: {
          approval: id,
          host: row.host,
          port: row.port,
          decision: decision.kind,
          ...(decision.kind === "minutes" ? { minutes: decision.minutes } : {}),
          ...(decision.kind === "uses" ? { uses: decision.uses } : {}),
          ...(reason ? { reason } : {}),
          summary: describeDecision(decision),
          channel: by.channel,
          grant: grant?.id ?? null,
          held: waiting,
          passed: denied ? 0 : passing,
          late,
          ...(policyChange ? { policyBefore: policyChange.before, policyAfter: policyChange.after } : {}),
          ...(row.job ? { job: row.job } : {}),
        },
      });
      return { updated, grant };
    });
    const said = decision.kind === "deny" && decision.reason ? `: ${decision.reason}` : "";
    const refused = `a person denied ${row.host}:${row.port}${said}`;
    if (denied)
      denials.set(keyOf(owner, row.host, row.port), {
        until: Date.now() + denialMemoryMs,
        reason: refused,
        approval: id,
      });
    release(id, (index) =>
      denied
        ? { allowed: false, approval: id, reason: refused }
        : index >= passing
          ? {
              allowed: false,
              approval: id,
              reason: `the ${passing} use(s) allowed for ${row.host}:${row.port} went to connections before this one; ask again`,
            }
          : {
              allowed: true,
              approval: id,
              rule: grant ? `grant ${grant.id}` : `approval ${id} (once)`,
              ...(grant ? { grant: grant.id } : {}),
            },
    );
    emit("decided", updated);
    return { ...updated, waiting: 0 };
  }

  /** What the owner held is refused; its "until it stops" grants end (all of them for a job, or when deleted). */
  async function endOwner(owner: EgressOwner, deleted: boolean) {
    const key = egressOwnerKey(owner);
    const what =
      "agent" in owner ? `${owner.agent} ${deleted ? "was deleted" : "stopped"}` : `job ${owner.job} ended`;
    for (const entry of [...held.values()].filter((one) => egressOwnerKey(one.owner) === key))
      await expire(entry.id, "stopped", what);
    const grants = await db.egressGrant.findMany({
      where: {
        ...ownerWhere(owner),
        endedAt: null,
        ...("agent" in owner && !deleted ? { kind: "until_stop" } : {}),
      },
    });
    for (const grant of grants) await endGrant(grant, "stopped", "system");
    if (deleted)
      for (const denial of [...denials.keys()]) if (denial.startsWith(`${key}\n`)) denials.delete(denial);
  }

  /** Why a new request of this owner is refused without asking anyone, if it is. */
  function refusal(owner: EgressOwner, target: UnlistedTarget): UnlistedDecision | undefined {
    const where = `${target.host}:${target.port} is not in this agent's allowlist`;
    const denial = denials.get(keyOf(owner, target.host, target.port));
    if (denial && denial.until > Date.now())
      return {
        allowed: false,
        approval: denial.approval,
        reason: `${where}: ${denial.reason} (denied ${Math.ceil((denial.until - Date.now()) / 60_000)} more minute(s) without asking again)`,
      };
    const prefix = `${egressOwnerKey(owner)}\n`;
    const waiting = [...held.values()].filter((entry) => entry.key.startsWith(prefix)).length;
    if (waiting >= maxPendingPerOwner)
      return {
        allowed: false,
        reason: `${where}, and ${waiting} of its requests already wait for a person: ask again once they are answered`,
      };
    const hourAgo = Date.now() - 3600_000;
    const recent = (raised.get(egressOwnerKey(owner)) ?? []).filter((at) => at > hourAgo);
    raised.set(egressOwnerKey(owner), recent);
    if (recent.length >= maxRequestsPerHour)
      return {
        allowed: false,
        reason: `${where}, and it asked about ${recent.length} hosts in the last hour: no more are put to a person for now. Add the hosts it needs to its allowlist, or try again later.`,
      };
    return undefined;
  }

  const approvals: Approvals = {
    async ask(owner, target, timeoutMs, signal) {
      if (signal?.aborted) return { allowed: false, reason: "the connection closed" };
      const grant = await takeGrantUse(owner, target.host, target.port);
      if (grant) return { allowed: true, rule: `grant ${grant.id}`, grant: grant.id };
      const key = keyOf(owner, target.host, target.port);
      const existing = heldByKey.get(key);
      const joined = existing ? held.get(existing) : undefined;
      if (joined && joined.waiters.size >= maxWaitersPerRequest)
        return {
          allowed: false,
          approval: joined.id,
          reason: `${maxWaitersPerRequest} connections to ${target.host}:${target.port} already wait for approval request ${joined.id}`,
        };
      if (!joined) {
        const refused = refusal(owner, target);
        if (refused) return refused;
        raised.get(egressOwnerKey(owner))?.push(Date.now()) ??
          raised.set(egressOwnerKey(owner), [Date.now()]);
      }
      const id = joined?.id ?? newShortId("ap");
      const entry: Held = joined ?? { id, key, owner, target, waiters: new Set(), asked: 0 };
      entry.asked += 1;
      if (!joined) {
        held.set(id, entry);
        heldByKey.set(key, id);
      }
      const answer = new Promise<UnlistedDecision>((resolve) => {
        const waiter = (decision: UnlistedDecision) => {
          signal?.removeEventListener("abort", hungUp);
          resolve(decision);
        };
        // The agent hung up: its place is given back now, not when the request closes.
        const hungUp = () => {
          entry.waiters.delete(waiter);
          resolve({ allowed: false, reason: "the connection closed" });
        };
        signal?.addEventListener("abort", hungUp, { once: true });
        entry.waiters.add(waiter);
      });
      if (!joined) await raise(id, owner, target, timeoutMs);
      return answer;
    },

    trackGrant(grant, close) {
      const set = grantConnections.get(grant) ?? new Set();
      grantConnections.set(grant, set);
      set.add(close);
      return () => {
        set.delete(close);
        if (set.size === 0 && grantConnections.get(grant) === set) grantConnections.delete(grant);
      };
    },

    async decide(id, decision, by) {
      const row = await db.approval.findUnique({ where: { id } });
      if (!row)
        throw new AppError("NOT_FOUND", `No approval request ${id}`, {
          fix: "claw approvals list shows the open ones.",
        });
      const late = row.status === "expired" && (row.decision === "timeout" || row.decision === null);
      if (row.status !== "pending" && !(late && decision.kind !== "once" && decision.kind !== "deny"))
        throw new AppError(
          "CONFLICT",
          `${id} was already ${row.status === "expired" ? "closed" : row.status}`,
          {
            fix:
              row.status === "expired"
                ? "Its connection is gone: allow it for some minutes, some uses or always, and the agent's next try goes through."
                : "claw approvals list shows the open ones.",
          },
        );
      if (decision.kind === "always" && !row.agent)
        throw new AppError("BAD_REQUEST", "Only an agent's request can be allowed always", {
          fix: "Allow it for some minutes or uses instead.",
        });
      if (decision.kind === "always" && row.job)
        throw new AppError("BAD_REQUEST", "A job's network comes from its agent's policy", {
          fix: `Allow it for some minutes or uses, or add ${allowlistEntry(row.host, row.port)} to the jobs' network of ${row.agent}'s template.`,
        });
      const owner: EgressOwner = row.job ? { job: row.job } : { agent: row.agent ?? "" };
      // Claimed before anything changes (an "always" re-locks): a second decision, or the clock,
      // waits its turn rather than racing this one.
      const entry = held.get(id);
      if (entry?.deciding || lateDeciding.has(id))
        throw new AppError("CONFLICT", `${id} is being decided by someone else right now`, {
          fix: "claw approvals list shows what was decided.",
        });
      if (entry) entry.deciding = true;
      else lateDeciding.add(id);
      try {
        return await settle(row, owner, entry, decision, by, late);
      } finally {
        lateDeciding.delete(id);
        if (entry?.deciding && held.get(id) === entry) {
          // The decision failed: the request waits on, and closes if its time passed meanwhile.
          entry.deciding = false;
          if (row.expiresAt.getTime() <= Date.now())
            void expire(id, "timeout", "nobody answered in time").catch(() => {});
        }
      }
    },

    async revoke(grantId, by) {
      const grant = await db.egressGrant.findUnique({ where: { id: grantId } });
      if (!grant)
        throw new AppError("NOT_FOUND", `No grant ${grantId}`, { fix: "claw approvals grants lists them." });
      if (grant.endedAt)
        throw new AppError("CONFLICT", `${grantId} already ended (${grant.endReason})`, {
          fix: "claw approvals grants lists the ones still counting.",
        });
      const ended = await endGrant(grant, "revoked", by.actor);
      return ended ?? (await db.egressGrant.findUniqueOrThrow({ where: { id: grantId } }));
    },

    async get(id) {
      const row = await db.approval.findUnique({ where: { id } });
      if (!row)
        throw new AppError("NOT_FOUND", `No approval request ${id}`, {
          fix: "claw approvals list shows them.",
        });
      return view(row);
    },

    async list({ status, agent, limit, before }) {
      const cursor = before ? await db.approval.findUnique({ where: { id: before } }) : null;
      const rows = await db.approval.findMany({
        where: {
          ...(status ? { status } : {}),
          ...(agent ? { agent } : {}),
          ...(cursor ? { createdAt: { lte: cursor.createdAt }, id: { not: cursor.id } } : {}),
        },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        take: limit,
      });
      return rows.map(view);
    },

    async grants({ agent, ended }) {
      return db.egressGrant.findMany({
        where: { ...(agent ? { agent } : {}), ...(ended ? {} : { endedAt: null }) },
        orderBy: { createdAt: "desc" },
        take: 200,
      });
    },

    pendingCount: () => held.size,

    ownerStopped: (owner) => endOwner(owner, false),
    ownerDeleted: (owner) => endOwner(owner, true),

    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    async start() {
      await db.approval.updateMany({
        where: { status: "pending" },
        data: {
          status: "expired",
          decision: "stopped",
          reason: "the panel restarted",
          decidedAt: new Date(),
          channel: "system",
          decidedBy: "system",
        },
      });
      const tick = async () => {
        const due = await db.egressGrant.findMany({
          where: { endedAt: null, expiresAt: { lte: new Date() } },
        });
        for (const grant of due) await endGrant(grant, "expired", "system");
      };
      sweep = setInterval(
        () => void tick().catch((error: Error) => console.error(`claw: approvals: ${error.message}`)),
        deps.sweepMs ?? 5000,
      );
      sweep.unref();
      await tick();
    },

    close() {
      if (sweep) clearInterval(sweep);
      for (const id of [...held.keys()])
        release(id, { allowed: false, approval: id, reason: "the panel is shutting down" });
    },
  };
  return approvals;
}
