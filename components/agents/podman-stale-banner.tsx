"use client";

import { ago, formatTime } from "@/components/format";
import { useNow } from "@/components/ui/use-now";
import type { AgentList } from "./agent-types";

/** Past this, states from a sweep that did answer are called old too (the sweep runs every 1–5 s). */
const staleAfterMs = 20_000;

/**
 * Says when the agents' states are not Podman's answer of now: Podman is not reachable or not
 * answering (its own words), and how old the last answer is.
 */
export function PodmanStaleBanner({ list }: { list: Pick<AgentList, "podman" | "freshAt"> }) {
  const now = useNow(5_000);
  const age = list.freshAt ? now - new Date(list.freshAt).getTime() : null;
  if (list.podman.reachable && (age === null || age < staleAfterMs)) return null;
  const asOf = list.freshAt ? (
    <>
      as of <time dateTime={list.freshAt}>{formatTime(list.freshAt)}</time> ({ago(list.freshAt, now)})
    </>
  ) : (
    "not known yet (Podman has not answered since the panel started)"
  );
  return (
    // A live region without the status role: a page's one `status` is its own action's result.
    <div
      aria-live="polite"
      className="rounded-md border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950/40 dark:text-amber-200"
    >
      {list.podman.reachable ? "Podman answers slowly" : (list.podman.error ?? "Podman is not reachable")}.
      States shown are the last known, {asOf}.
    </div>
  );
}
