import type { inferRouterOutputs } from "@trpc/server";
import type { Tone } from "@/components/ui";
import type { AppRouter } from "@/server/routers/root";

export type SecretRow = inferRouterOutputs<AppRouter>["secrets"]["list"][number];

/** The query parameter that opens Settings with a secret's name filled in. */
export const setSecretParam = "set";

/** Settings, with the form ready to set `name` (an agent's missing model key links here). */
export function setSecretHref(name: string): string {
  return `/settings?${new URLSearchParams({ [setSecretParam]: name })}#secrets`;
}

/** "agent coder, agent reviewer and Claude Code jobs"; null when nothing uses it. */
export function usedByText(usedBy: string[]): string | null {
  if (usedBy.length === 0) return null;
  if (usedBy.length === 1) return usedBy[0] ?? null;
  return `${usedBy.slice(0, -1).join(", ")} and ${usedBy.at(-1)}`;
}

/** What deleting a secret breaks, said before it is done. */
export function deleteConsequence(row: Pick<SecretRow, "name" | "usedBy">): string {
  const users = usedByText(row.usedBy);
  if (!users) return `Nothing uses ${row.name} now.`;
  return `${users} ${row.usedBy.length === 1 ? "uses" : "use"} it: their requests to the model fail (or the env is empty at the next start) until it is set again.`;
}

/** The row's badge: set, or not set — a warning when something needs it. */
export function secretState(row: Pick<SecretRow, "set" | "usedBy">): { label: string; tone: Tone } {
  if (row.set) return { label: "set", tone: "ok" };
  return { label: "not set", tone: row.usedBy.length > 0 ? "warn" : "neutral" };
}
