import type { Db } from "../db/client";

/** Lifecycle events after which the agent's container was running, as far as the panel knew. */
export const runningActions = ["agent_started", "agent_adopted"] as const;

/** What the panel found on start, for a container that was running at its last sight. */
export const downActions = {
  exited: "agent_exited_while_down",
  removed: "agent_removed_while_down",
} as const;

/** Lifecycle events after which it was not running (or gone). */
const notRunningActions = [
  "agent_stopped",
  "agent_exited",
  "agent_container_removed",
  "agent_start_failed",
  "agent_conformance_failed",
  "agent_start_interrupted",
  "agent_deleted",
  downActions.exited,
  downActions.removed,
];

export type LastSight = {
  action: string;
  outcome: string;
  /** The container the event was about, when it names one. */
  containerId: string | null;
  details: Record<string, unknown>;
  /** Whether the container was running after it (an `agent_adopted` that failed is not). */
  running: boolean;
};

/**
 * The agent's last lifecycle event that says whether its container runs: the audit log is the
 * panel's memory of what it last saw, across restarts and crashes.
 */
export async function lastSightOf(db: Db, agent: string): Promise<LastSight | undefined> {
  const row = await db.auditEvent.findFirst({
    where: { agent, category: "lifecycle", action: { in: [...runningActions, ...notRunningActions] } },
    orderBy: { id: "desc" },
    select: { action: true, outcome: true, details: true },
  });
  if (!row) return undefined;
  const details = parseDetails(row.details);
  const containerId = typeof details.containerId === "string" ? details.containerId : null;
  const running = (runningActions as readonly string[]).includes(row.action) && row.outcome === "ok";
  return { action: row.action, outcome: row.outcome, containerId, details, running };
}

function parseDetails(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === "object" ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
