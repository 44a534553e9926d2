import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/routers/root";

export type AuditEvent = inferRouterOutputs<AppRouter>["audit"]["list"]["events"][number];
export type AuditFilter = NonNullable<inferRouterInputs<AppRouter>["audit"]["list"]["filter"]>;
export type AuditVerifyResult = inferRouterOutputs<AppRouter>["audit"]["verify"];

export { auditCategories as categories, auditOutcomes as outcomes } from "@/shared/audit-categories";
export const filterKeys = ["category", "outcome", "action", "actor", "agent", "from", "to", "text"] as const;

/** The filter lives in the URL, so a view can be reloaded, bookmarked and shared. */
export function filterFromParams(params: URLSearchParams): AuditFilter {
  const filter: Record<string, string> = {};
  for (const key of filterKeys) {
    const value = params.get(key);
    if (value) filter[key] = value;
  }
  return filter as AuditFilter;
}
