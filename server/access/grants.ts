import type { AuditLog } from "../audit/audit-log";
import type { Db, DbTransaction } from "../db/client";
import { AppError } from "../errors";

export type AccessDeps = { db: Db; audit: AuditLog };

export async function listGrants(db: Db, filter: { agent?: string; channel?: string } = {}) {
  return db.accessGrant.findMany({
    where: { agent: filter.agent, channel: filter.channel },
    orderBy: [{ agent: "asc" }, { createdAt: "asc" }],
  });
}

export async function findGrant(db: DbTransaction, channel: string, subjectId: string, agent: string) {
  return db.accessGrant.findUnique({ where: { channel_subjectId_agent: { channel, subjectId, agent } } });
}

async function getGrantOrThrow(db: DbTransaction, channel: string, subjectId: string, agent: string) {
  const grant = await findGrant(db, channel, subjectId, agent);
  if (!grant)
    throw new AppError("NOT_FOUND", `${channel} user ${subjectId} has no access to ${agent}`, {
      fix: "claw access list shows who has access; pair them first.",
    });
  return grant;
}

/** Removes the grant; the next message from that person is refused (grants are read per message). */
export async function revokeGrant(
  deps: AccessDeps,
  input: { channel: string; agent: string; subjectId: string; actor: string },
) {
  const { channel, agent, subjectId, actor } = input;
  return deps.audit.transaction(async (tx, record) => {
    const grant = await getGrantOrThrow(tx, channel, subjectId, agent);
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

/** How many jobs from the chat one grant may start in any rolling hour. */
export const jobsPerHourLimits = { min: 1, max: 1000, default: 10 } as const;

/** The jobs right a new grant gets when the pairing did not say: admins have it, others are granted it. */
export function defaultJobsRight(role: string): boolean {
  return role === "admin";
}

export type GrantJobsChange = {
  channel: string;
  agent: string;
  subjectId: string;
  jobs: boolean;
  jobsPerHour?: number;
  actor: string;
};

/** Gives or takes away the right to run jobs from the chat (and sets its hourly quota), audited with before and after. */
export async function setGrantJobs(deps: AccessDeps, input: GrantJobsChange) {
  const { channel, agent, subjectId, actor } = input;
  return deps.audit.transaction(async (tx, record) => {
    const grant = await getGrantOrThrow(tx, channel, subjectId, agent);
    const jobsPerHour = input.jobsPerHour ?? grant.jobsPerHour;
    const updated = await tx.accessGrant.update({
      where: { id: grant.id },
      data: { jobs: input.jobs, jobsPerHour },
    });
    await record({
      category: "access",
      action: "access_jobs_changed",
      actor,
      agent,
      outcome: "ok",
      details: {
        channel,
        subjectId,
        grant: grant.id,
        jobs: input.jobs,
        jobsPerHour,
        previousJobs: grant.jobs,
        previousJobsPerHour: grant.jobsPerHour,
      },
    });
    return updated;
  });
}
