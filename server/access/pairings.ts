import { createHash, randomBytes, randomInt } from "node:crypto";
import { getAgentOrThrow } from "../agents/get-agent";
import type { DbTransaction } from "../db/client";
import { AppError } from "../errors";
import { newShortId } from "../short-id";
import { type AccessDeps, defaultJobsRight } from "./grants";
import type { Role } from "./roles";

/** 32 random bytes as base64url: 43 characters, so `pair-` + token fits Telegram's 64-character start payload. */
export const pairingTokenPattern = /^[A-Za-z0-9_-]{43}$/;
export const pairingIdPattern = /^p-[a-z2-7]{10}$/;
/** Links waiting per agent: enough for a few people at once, too few to spray around. */
export const maxOpenPairingsPerAgent = 3;
export const pairingExpiryMinutes = { min: 1, max: 24 * 60, default: 15 } as const;

export type PairingOutcome =
  | { kind: "claimed"; pairingId: string; agent: string; role: string; jobs: boolean; code: string }
  | { kind: "refused"; reason: "unknown" | "used" | "expired" };

const openStatuses = ["pending", "claimed"];

function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Six digits, shown as "123 456" on both sides. */
export function formatCode(code: string): string {
  return `${code.slice(0, 3)} ${code.slice(3)}`;
}

export type PairingRequest = {
  channel: string;
  agent: string;
  role: Role;
  jobs?: boolean;
  expiresInMinutes: number;
  actor: string;
};

/**
 * Issues a single-use token for `agent`; returns it once (only its hash is stored). `jobs` is the
 * right to run jobs from the chat the grant will carry (unset: the role's default, admins only).
 */
export async function createPairing(deps: AccessDeps, input: PairingRequest) {
  await getAgentOrThrow(deps.db, input.agent);
  await expirePairings(deps);
  const token = randomBytes(32).toString("base64url");
  const id = newShortId("p");
  const jobs = input.jobs ?? defaultJobsRight(input.role);
  const expiresAt = new Date(Date.now() + input.expiresInMinutes * 60_000);
  await deps.audit.transaction(async (tx, record) => {
    const open = await tx.pairing.count({ where: { agent: input.agent, status: { in: openStatuses } } });
    if (open >= maxOpenPairingsPerAgent)
      throw new AppError(
        "CONFLICT",
        `${input.agent} already has ${open} pairing links waiting (at most ${maxOpenPairingsPerAgent})`,
        { fix: "Cancel one on the Access page (or `claw access cancel ID`), or wait for it to expire." },
      );
    await tx.pairing.create({
      data: {
        id,
        tokenHash: hashToken(token),
        channel: input.channel,
        agent: input.agent,
        role: input.role,
        jobs: input.jobs ?? null,
        status: "pending",
        expiresAt,
        createdBy: input.actor,
      },
    });
    await record({
      category: "access",
      action: `${input.channel}_pairing_initiated`,
      actor: input.actor,
      agent: input.agent,
      outcome: "ok",
      details: { pairing: id, role: input.role, jobs, expiresAt: expiresAt.toISOString() },
    });
  });
  return { id, token, agent: input.agent, role: input.role, jobs, expiresAt };
}

/**
 * Someone on the channel opened the link: a pending token becomes claimed by them and both sides
 * get the same code. The same person opening it again sees their code again; anyone else, or a
 * token that is unknown, used or out of time, is refused (audited as rejected, with the reason;
 * the expiry itself is its own `_expired` event).
 */
export async function claimPairing(
  deps: AccessDeps,
  input: { channel: string; token: string; subject: { id: string; name?: string } },
): Promise<PairingOutcome> {
  const { channel, subject } = input;
  await expirePairings(deps);
  const actor = `${channel}:${subject.id}`;
  return deps.audit.transaction(async (tx, record) => {
    const refuse = async (
      reason: "unknown" | "used" | "expired",
      pairing?: { id: string; agent: string },
    ) => {
      await record({
        category: "access",
        action: `${channel}_pairing_rejected`,
        actor,
        agent: pairing?.agent ?? null,
        outcome: "denied",
        details: { pairing: pairing?.id ?? null, reason, subjectName: subject.name ?? null },
      });
      return { kind: "refused", reason } as const;
    };
    const pairing = pairingTokenPattern.test(input.token)
      ? await tx.pairing.findUnique({ where: { tokenHash: hashToken(input.token) } })
      : null;
    if (!pairing || pairing.channel !== channel) return refuse("unknown");
    if (pairing.status === "claimed" && pairing.subjectId === subject.id && pairing.code)
      return {
        kind: "claimed",
        pairingId: pairing.id,
        agent: pairing.agent,
        role: pairing.role,
        jobs: pairing.jobs ?? defaultJobsRight(pairing.role),
        code: pairing.code,
      };
    if (pairing.status === "expired") return refuse("expired", pairing);
    if (pairing.status !== "pending") return refuse("used", pairing);
    const code = String(randomInt(0, 1_000_000)).padStart(6, "0");
    await tx.pairing.update({
      where: { id: pairing.id },
      data: {
        status: "claimed",
        subjectId: subject.id,
        subjectName: subject.name,
        code,
        claimedAt: new Date(),
      },
    });
    await record({
      category: "access",
      action: `${channel}_pairing_claimed`,
      actor,
      agent: pairing.agent,
      outcome: "ok",
      details: { pairing: pairing.id, role: pairing.role, subjectName: subject.name ?? null },
    });
    return {
      kind: "claimed",
      pairingId: pairing.id,
      agent: pairing.agent,
      role: pairing.role,
      jobs: pairing.jobs ?? defaultJobsRight(pairing.role),
      code,
    };
  });
}

async function openPairingOrThrow(tx: DbTransaction, id: string) {
  const pairing = await tx.pairing.findUnique({ where: { id } });
  if (!pairing) throw new AppError("NOT_FOUND", `No pairing ${id}`, { fix: "claw access list shows them" });
  if (!openStatuses.includes(pairing.status) || pairing.expiresAt <= new Date())
    throw new AppError(
      "PRECONDITION_FAILED",
      `Pairing ${id} is ${pairing.status === "pending" || pairing.status === "claimed" ? "expired" : pairing.status}`,
      {
        fix: "Start a new pairing.",
      },
    );
  return pairing;
}

/**
 * The operator says the code on the pairing page matches the one the person was shown: they get
 * the role on the agent (a grant they already had is replaced).
 */
export async function confirmPairing(deps: AccessDeps, input: { id: string; actor: string; code?: string }) {
  await expirePairings(deps);
  return deps.audit.transaction(async (tx, record) => {
    const pairing = await openPairingOrThrow(tx, input.id);
    if (pairing.status !== "claimed" || !pairing.subjectId)
      throw new AppError("PRECONDITION_FAILED", "Nobody has opened this pairing link yet", {
        fix: "Have the person scan the QR code (or open the link); their confirmation code appears here.",
      });
    if (input.code !== undefined && input.code.replace(/\s/g, "") !== pairing.code)
      throw new AppError("BAD_REQUEST", "That code does not match the one the person was shown", {
        fix: "Check the code the bot showed them; if it differs, reject the pairing.",
      });
    const now = new Date();
    await tx.pairing.update({
      where: { id: pairing.id },
      data: { status: "confirmed", resolvedAt: now, resolvedBy: input.actor },
    });
    const key = { channel: pairing.channel, subjectId: pairing.subjectId, agent: pairing.agent };
    const previous = await tx.accessGrant.findUnique({ where: { channel_subjectId_agent: key } });
    const jobs = pairing.jobs ?? defaultJobsRight(pairing.role);
    const granted = {
      subjectName: pairing.subjectName,
      role: pairing.role,
      jobs,
      createdBy: input.actor,
      pairingId: pairing.id,
    };
    const grant = await tx.accessGrant.upsert({
      where: { channel_subjectId_agent: key },
      create: { id: newShortId("g"), ...key, ...granted },
      update: granted,
    });
    await record({
      category: "access",
      action: `${pairing.channel}_pairing_confirmed`,
      actor: input.actor,
      agent: pairing.agent,
      outcome: "ok",
      details: {
        pairing: pairing.id,
        grant: grant.id,
        subjectId: pairing.subjectId,
        subjectName: pairing.subjectName,
        role: pairing.role,
        jobs,
        previousRole: previous?.role ?? null,
      },
    });
    return grant;
  });
}

/** The operator turns a pairing down: before anyone opened it (cancelled) or after (rejected). */
export async function rejectPairing(deps: AccessDeps, input: { id: string; actor: string }) {
  return deps.audit.transaction(async (tx, record) => {
    const pairing = await openPairingOrThrow(tx, input.id);
    const status = pairing.status === "claimed" ? "rejected" : "cancelled";
    await tx.pairing.update({
      where: { id: pairing.id },
      data: { status, resolvedAt: new Date(), resolvedBy: input.actor },
    });
    await record({
      category: "access",
      action: `${pairing.channel}_pairing_${status}`,
      actor: input.actor,
      agent: pairing.agent,
      outcome: "ok",
      details: {
        pairing: pairing.id,
        reason: "operator",
        subjectId: pairing.subjectId,
        subjectName: pairing.subjectName,
      },
    });
    return { ...pairing, status };
  });
}

/** Marks open pairings past their time as expired, one audit event each; returns them. */
export async function expirePairings(deps: AccessDeps, now = new Date()) {
  const due = await deps.db.pairing.findMany({
    where: { status: { in: openStatuses }, expiresAt: { lte: now } },
  });
  if (due.length === 0) return [];
  return deps.audit.transaction(async (tx, record) => {
    const expired = [];
    for (const pairing of due) {
      const { count } = await tx.pairing.updateMany({
        where: { id: pairing.id, status: { in: openStatuses } },
        data: { status: "expired", resolvedAt: now, resolvedBy: "system" },
      });
      if (count === 0) continue;
      expired.push(pairing);
      await record({
        category: "access",
        action: `${pairing.channel}_pairing_expired`,
        actor: "system",
        agent: pairing.agent,
        outcome: "ok",
        details: {
          pairing: pairing.id,
          wasClaimed: pairing.status === "claimed",
          subjectId: pairing.subjectId,
        },
      });
    }
    return expired;
  });
}

/** Pairings, newest first: the open ones, or also those that ended in the last day. */
export async function listPairings(
  deps: AccessDeps,
  filter: { agent?: string; includeEnded?: boolean } = {},
) {
  await expirePairings(deps);
  const rows = await deps.db.pairing.findMany({
    where: {
      agent: filter.agent,
      ...(filter.includeEnded
        ? { createdAt: { gte: new Date(Date.now() - 24 * 3600_000) } }
        : { status: { in: openStatuses } }),
    },
    orderBy: { createdAt: "desc" },
    take: 100,
  });
  return rows.map(({ tokenHash: _hash, ...row }) => row);
}

export async function getPairingOrThrow(deps: AccessDeps, id: string) {
  await expirePairings(deps);
  const row = await deps.db.pairing.findUnique({ where: { id } });
  if (!row) throw new AppError("NOT_FOUND", `No pairing ${id}`, { fix: "claw access list shows them" });
  const { tokenHash: _hash, ...pairing } = row;
  return pairing;
}

/** Cancels every open pairing of a channel (its bot was removed: nobody could finish them). */
export async function cancelOpenPairings(deps: AccessDeps, channel: string, actor: string) {
  return deps.audit.transaction(async (tx, record) => {
    const open = await tx.pairing.findMany({ where: { channel, status: { in: openStatuses } } });
    for (const pairing of open) {
      await tx.pairing.update({
        where: { id: pairing.id },
        data: { status: "cancelled", resolvedAt: new Date(), resolvedBy: actor },
      });
      await record({
        category: "access",
        action: `${channel}_pairing_cancelled`,
        actor,
        agent: pairing.agent,
        outcome: "ok",
        details: { pairing: pairing.id, reason: "bot removed", subjectId: pairing.subjectId },
      });
    }
    return open.length;
  });
}
