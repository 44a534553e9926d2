import type { inferRouterOutputs } from "@trpc/server";
import { z } from "zod";
import type { AuditEvent } from "@/components/audit/audit-types";
import type { AppRouter } from "@/server/routers/root";

type ApprovalsOutputs = inferRouterOutputs<AppRouter>["approvals"];

export type ApprovalItem = ApprovalsOutputs["list"][number];
export type GrantItem = ApprovalsOutputs["grants"][number];

/** The statuses the history filters by; `pending` ones are in "Waiting". */
export const historyStatuses = ["allowed", "denied", "expired"] as const;
export type HistoryStatus = (typeof historyStatuses)[number];

/** What the page's decision fields accept, as the server does (approval-decisions.ts). */
export const minutesField = z.coerce
  .number({ error: "Minutes: a whole number from 1 to 10080 (a week)." })
  .int("Minutes: a whole number from 1 to 10080 (a week).")
  .min(1, "Minutes: a whole number from 1 to 10080 (a week).")
  .max(7 * 24 * 60, "Minutes: a whole number from 1 to 10080 (a week).");
export const usesField = z.coerce
  .number({ error: "Uses: a whole number from 1 to 10000." })
  .int("Uses: a whole number from 1 to 10000.")
  .min(1, "Uses: a whole number from 1 to 10000.")
  .max(10_000, "Uses: a whole number from 1 to 10000.");
export const reasonField = z.string().trim().max(300, "The reason: at most 300 characters.");

/** The history's filter, read from the page's URL (anything else is ignored). */
export const historyFilterSchema = z.object({
  status: z.enum(historyStatuses).optional().catch(undefined),
  agent: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/)
    .optional()
    .catch(undefined),
});
export type HistoryFilter = z.infer<typeof historyFilterSchema>;

export function historyFilterOf(params: URLSearchParams): HistoryFilter {
  return historyFilterSchema.parse({
    status: params.get("status") || undefined,
    agent: params.get("agent") || undefined,
  });
}

/** A request raised, as the live tail tells it: enough for a toast. */
export type ApprovalRequested = {
  id: string;
  agent: string | null;
  job: string | null;
  host: string;
  port: number;
  method: string | null;
  path: string | null;
  activity: string | null;
  /** When it answers itself (denied), in ms since the epoch. */
  expiresAt: number;
};

const requestedDetails = z.object({
  approval: z.string(),
  host: z.string(),
  port: z.number().int(),
  method: z.string().nullish(),
  path: z.string().nullish(),
  activity: z.string().nullish(),
  timeoutSeconds: z.number().nullish(),
  job: z.string().nullish(),
});

type EventLike = Pick<AuditEvent, "action" | "agent" | "details" | "time">;

/** Pure: the request an `approval_requested` event raised; undefined for any other event. */
export function approvalRequestedOf(event: EventLike): ApprovalRequested | undefined {
  if (event.action !== "approval_requested") return undefined;
  const parsed = requestedDetails.safeParse(event.details);
  if (!parsed.success) return undefined;
  const details = parsed.data;
  return {
    id: details.approval,
    agent: event.agent ?? null,
    job: details.job ?? null,
    host: details.host,
    port: details.port,
    method: details.method ?? null,
    path: details.path ?? null,
    activity: details.activity ?? null,
    expiresAt: new Date(event.time).getTime() + (details.timeoutSeconds ?? 60) * 1000,
  };
}

/** Pure: the request an event closed (decided or expired, by anyone, anywhere); undefined otherwise. */
export function approvalClosedOf(event: Pick<AuditEvent, "action" | "details">): string | undefined {
  if (event.action !== "approval_decided" && event.action !== "approval_expired") return undefined;
  const details = event.details as { approval?: unknown } | null;
  return typeof details?.approval === "string" ? details.approval : undefined;
}

/** Pure: "example.com:443". */
export const destinationOf = (request: { host: string; port: number }) => `${request.host}:${request.port}`;

/** Pure: the plain-HTTP request line's method and path ("GET /index.html"); null for a tunnel. */
export function requestLineOf(request: { method: string | null; path: string | null }): string | null {
  if (!request.method || request.method === "CONNECT") return null;
  return request.path ? `${request.method} ${request.path}` : request.method;
}

/** Pure: a span of time left, as a countdown reads ("42 s", "3 min 05 s", "2 h 10 min"); "0 s" when past. */
export function timeLeft(untilMs: number, now: number): string {
  const seconds = Math.max(0, Math.ceil((untilMs - now) / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, "0")} s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** Pure: what is left of a grant ("4 min 10 s left", "3 uses left", "until it stops"). */
export function grantLeft(
  grant: Pick<GrantItem, "kind" | "expiresAt" | "usesLeft" | "job">,
  now: number,
): string {
  if (grant.expiresAt) return `${timeLeft(new Date(grant.expiresAt).getTime(), now)} left`;
  if (grant.usesLeft !== null) return `${grant.usesLeft} ${grant.usesLeft === 1 ? "use" : "uses"} left`;
  return grant.job ? "until the job ends" : "until the agent stops";
}

/** Pure: how a grant ended, in words. */
export function grantEndedText(reason: string | null): string {
  switch (reason) {
    case "expired":
      return "time ran out";
    case "used_up":
      return "all uses taken";
    case "revoked":
      return "revoked";
    case "stopped":
      return "the agent or job stopped";
    default:
      return "ended";
  }
}

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

/**
 * Pure: how a request was answered, in words. The grant it left (when known) says how many minutes
 * or uses: a grant's `used + usesLeft` stays what was granted.
 */
export function decisionText(
  approval: Pick<ApprovalItem, "status" | "decision" | "reason" | "job">,
  grant?: Pick<GrantItem, "createdAt" | "expiresAt" | "used" | "usesLeft">,
): string {
  switch (approval.decision) {
    case "once":
      return "allowed once";
    case "minutes": {
      if (!grant?.expiresAt) return "allowed for some minutes";
      const minutes = Math.round(
        (new Date(grant.expiresAt).getTime() - new Date(grant.createdAt).getTime()) / 60_000,
      );
      return `allowed for ${plural(minutes, "minute", "minutes")}`;
    }
    case "uses":
      return grant?.usesLeft != null
        ? `allowed for ${plural(grant.used + grant.usesLeft, "use", "uses")}`
        : "allowed for some uses";
    case "until_stop":
      return approval.job ? "allowed until the job ends" : "allowed until the agent stops";
    case "always":
      return "allowed always (added to the agent's allowlist)";
    case "deny":
      return approval.reason ? `denied: ${approval.reason}` : "denied";
    case "timeout":
      return "nobody answered in time (denied)";
    case "stopped":
      return approval.reason ? `closed: ${approval.reason}` : "closed: the agent stopped";
    default:
      return approval.status;
  }
}

/** Pure: the header's name for the Approvals link, with how many wait ("Approvals, 2 waiting"). */
export function approvalsNavLabel(count: number | undefined): string {
  return count ? `Approvals, ${count} waiting` : "Approvals";
}

/** Pure: who raised a request, in words ("agent coder-1", "job j-abc of agent coder-1"). */
export function requesterText(request: { agent: string | null; job: string | null }): string {
  if (request.job)
    return request.agent ? `job ${request.job} of agent ${request.agent}` : `job ${request.job}`;
  return `agent ${request.agent ?? "unknown"}`;
}
