import { rm } from "node:fs/promises";
import type { AuditLog } from "../audit/audit-log";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import type { JobsPaths } from "./job-settings";

/** Sessions, newest activity first, with their job counts and whether a job runs or waits. */
export async function listJobSessions(db: Db, options: { includeClosed: boolean }) {
  const sessions = await db.jobSession.findMany({
    where: options.includeClosed ? {} : { closedAt: null },
    orderBy: { lastActivityAt: "desc" },
    take: 500,
    include: { jobs: { select: { status: true } } },
  });
  return sessions.map(({ jobs, ...session }) => ({
    ...session,
    jobs: jobs.length,
    running: jobs.filter((job) => job.status === "running").length,
    pending: jobs.filter((job) => job.status === "pending").length,
  }));
}

/**
 * Closes sessions: their Claude config goes (so they cannot be resumed), the workspace too only
 * when asked. A session with a running or waiting job is never touched; naming one is an error.
 */
export async function cleanupJobSessions(
  deps: { db: Db; audit: AuditLog; paths: JobsPaths },
  options: {
    sessionId?: string;
    agent?: string;
    idleHours?: number;
    removeWorkspace: boolean;
    actor: string;
  },
) {
  const cutoff =
    options.idleHours === undefined ? undefined : new Date(Date.now() - options.idleHours * 3600_000);
  const candidates = await deps.db.jobSession.findMany({
    where: {
      closedAt: null,
      ...(options.sessionId ? { id: options.sessionId } : {}),
      ...(options.agent ? { agent: options.agent } : {}),
      ...(cutoff ? { lastActivityAt: { lt: cutoff } } : {}),
    },
    include: { jobs: { where: { status: { in: ["running", "pending"] } }, select: { id: true } } },
  });
  if (options.sessionId && candidates.length === 0) {
    const session = await deps.db.jobSession.findUnique({ where: { id: options.sessionId } });
    if (!session) throw new AppError("NOT_FOUND", `No session ${options.sessionId}`);
    if (session.closedAt) return { closed: [], busy: [] };
  }
  const closed: string[] = [];
  const busy: string[] = [];
  for (const session of candidates) {
    if (session.jobs.length > 0) {
      busy.push(session.id);
      continue;
    }
    // Claim it first: a job queued meanwhile sees a closed session and is refused.
    const { count } = await deps.db.jobSession.updateMany({
      where: { id: session.id, closedAt: null, jobs: { none: { status: { in: ["running", "pending"] } } } },
      data: { closedAt: new Date() },
    });
    if (count === 0) {
      busy.push(session.id);
      continue;
    }
    const dirs = deps.paths.session(session.id);
    await rm(dirs.claude, { recursive: true, force: true });
    await rm(`${dirs.dir}/run`, { recursive: true, force: true });
    if (options.removeWorkspace) await rm(dirs.dir, { recursive: true, force: true });
    closed.push(session.id);
    await deps.audit.record({
      category: "job",
      action: "job_session_cleaned",
      actor: options.actor,
      agent: session.agent,
      outcome: "ok",
      details: {
        session: session.id,
        workspaceRemoved: options.removeWorkspace,
        idleSince: session.lastActivityAt.toISOString(),
      },
    });
  }
  if (options.sessionId && busy.length > 0)
    throw new AppError("CONFLICT", `Session ${options.sessionId} has a job running or waiting`, {
      fix: "Cancel its jobs first, or wait for them to end.",
    });
  return { closed, busy };
}
