import type { AuditLog } from "../audit/audit-log";
import type { Db } from "../db/client";
import { AppError } from "../errors";

export type AccessDeps = { db: Db; audit: AuditLog };

export async function listGrants(db: Db, filter: { agent?: string; channel?: string } = {}) {
  return db.accessGrant.findMany({
    where: { agent: filter.agent, channel: filter.channel },
    orderBy: [{ agent: "asc" }, { createdAt: "asc" }],
  });
}

export async function findGrant(db: Db, channel: string, subjectId: string, agent: string) {
  return db.accessGrant.findUnique({ where: { channel_subjectId_agent: { channel, subjectId, agent } } });
}

/** Removes the grant; the next message from that person is refused (grants are read per message). */
export async function revokeGrant(
  deps: AccessDeps,
  input: { channel: string; agent: string; subjectId: string; actor: string },
) {
  const { channel, agent, subjectId, actor } = input;
  return deps.audit.transaction(async (tx, record) => {
    const grant = await tx.accessGrant.findUnique({
      where: { channel_subjectId_agent: { channel, subjectId, agent } },
    });
    if (!grant)
      throw new AppError("NOT_FOUND", `${channel} user ${subjectId} has no access to ${agent}`, {
        fix: "claw access list shows who has access",
      });
    await tx.accessGrant.delete({ where: { id: grant.id } });
    await record({
      category: "access",
      action: "access_revoked",
      actor,
      agent,
      outcome: "ok",
      details: { channel, subjectId, subjectName: grant.subjectName, role: grant.role, grant: grant.id },
    });
    return grant;
  });
}
