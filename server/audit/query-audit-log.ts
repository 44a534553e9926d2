import { z } from "zod";
import type { Db } from "../db/client";
import type { Prisma } from "../db/generated/client";
import { AppError } from "../errors";
import { type AuditEventRow, auditCategories, auditOutcomes, type SignedCheckpoint } from "./audit-chain";

export const auditFilterSchema = z.object({
  category: z.enum(auditCategories).optional(),
  outcome: z.enum(auditOutcomes).optional(),
  action: z.string().trim().min(1).max(64).optional(),
  actor: z.string().trim().min(1).max(80).optional(),
  agent: z.string().trim().min(1).max(64).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  /** Text anywhere in the details JSON. */
  text: z.string().trim().min(1).max(200).optional(),
});
export type AuditFilter = z.infer<typeof auditFilterSchema>;

type StoredEvent = {
  id: number;
  time: Date;
  category: string;
  action: string;
  actor: string;
  agent: string | null;
  outcome: string;
  details: string;
  prevHash: string;
  hash: string;
};

export function auditRowFromDb(stored: StoredEvent): AuditEventRow {
  return { ...stored, time: stored.time.toISOString(), details: JSON.parse(stored.details) as unknown };
}

function whereOf(filter: AuditFilter): Prisma.AuditEventWhereInput {
  return {
    category: filter.category,
    outcome: filter.outcome,
    action: filter.action,
    actor: filter.actor,
    agent: filter.agent,
    time:
      filter.from || filter.to
        ? {
            gte: filter.from ? new Date(filter.from) : undefined,
            lte: filter.to ? new Date(filter.to) : undefined,
          }
        : undefined,
    details: filter.text ? { contains: filter.text } : undefined,
  };
}

/** The same filter applied to a row in memory (the live tail), matching what the query returns. */
export function matchesAuditFilter(row: AuditEventRow, filter: AuditFilter): boolean {
  if (filter.category && row.category !== filter.category) return false;
  if (filter.outcome && row.outcome !== filter.outcome) return false;
  if (filter.action && row.action !== filter.action) return false;
  if (filter.actor && row.actor !== filter.actor) return false;
  if (filter.agent && row.agent !== filter.agent) return false;
  const time = Date.parse(row.time);
  if (filter.from && time < Date.parse(filter.from)) return false;
  if (filter.to && time > Date.parse(filter.to)) return false;
  // SQLite's LIKE, which `contains` becomes, ignores ASCII case.
  if (filter.text && !JSON.stringify(row.details).toLowerCase().includes(filter.text.toLowerCase()))
    return false;
  return true;
}

/**
 * Newest first, keyset-paged on id: page N costs what page 1 costs, at any size. With `after`,
 * oldest first from that id on (for followers such as `claw audit tail -f`).
 */
export async function listAuditEvents(
  db: Db,
  options: { filter: AuditFilter; before?: number; after?: number; limit: number },
) {
  const rows = await db.auditEvent.findMany({
    where: {
      ...whereOf(options.filter),
      id:
        options.after !== undefined
          ? { gt: options.after }
          : options.before
            ? { lt: options.before }
            : undefined,
    },
    orderBy: { id: options.after !== undefined ? "asc" : "desc" },
    take: options.limit + 1,
  });
  const page = rows.slice(0, options.limit).map(auditRowFromDb);
  return { events: page, nextBefore: rows.length > options.limit ? (page.at(-1)?.id ?? null) : null };
}

/** One event with the first checkpoint whose signed head covers it, if one does yet. */
export async function getAuditEventOrThrow(db: Db, id: number) {
  const stored = await db.auditEvent.findUnique({ where: { id } });
  if (!stored) throw new AppError("NOT_FOUND", `No audit event ${id}`);
  const covering = await db.auditCheckpoint.findFirst({
    where: { treeSize: { gte: id } },
    orderBy: { treeSize: "asc" },
  });
  const checkpoint: SignedCheckpoint | null = covering
    ? { ...covering, time: covering.time.toISOString() }
    : null;
  return { event: auditRowFromDb(stored), checkpoint };
}

/** Values seen so far, for the filter pickers (each column is indexed, so DISTINCT stays cheap). */
export async function listAuditFacets(db: Db) {
  const [actions, actors, agents] = await Promise.all([
    db.auditEvent.findMany({
      distinct: ["action"],
      select: { action: true },
      orderBy: { action: "asc" },
      take: 500,
    }),
    db.auditEvent.findMany({
      distinct: ["actor"],
      select: { actor: true },
      orderBy: { actor: "asc" },
      take: 500,
    }),
    db.auditEvent.findMany({
      distinct: ["agent"],
      select: { agent: true },
      where: { agent: { not: null } },
      orderBy: { agent: "asc" },
      take: 500,
    }),
  ]);
  return {
    actions: actions.map((row) => row.action),
    actors: actors.map((row) => row.actor),
    agents: agents.flatMap((row) => (row.agent ? [row.agent] : [])),
  };
}

export async function getAuditSummary(db: Db) {
  const [head, checkpoint] = await Promise.all([
    db.auditEvent.findFirst({ orderBy: { id: "desc" }, select: { id: true, time: true } }),
    db.auditCheckpoint.findFirst({ orderBy: { treeSize: "desc" } }),
  ]);
  return {
    events: head?.id ?? 0,
    lastEventAt: head?.time.toISOString() ?? null,
    lastCheckpoint: checkpoint
      ? { treeSize: checkpoint.treeSize, time: checkpoint.time.toISOString() }
      : null,
  };
}
