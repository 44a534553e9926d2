"use client";

import { formatTime } from "@/components/format";
import { Badge, DataTable, type Tone } from "@/components/ui";
import type { AuditEvent } from "./audit-types";

const outcomeTone: Record<string, Tone> = { ok: "ok", denied: "warn", error: "fail" };

export function AuditTable({
  events,
  liveIds,
  onOpen,
}: {
  events: AuditEvent[];
  liveIds: Set<number>;
  onOpen: (event: AuditEvent) => void;
}) {
  return (
    <DataTable label="Audit events" columns={["#", "Time", "Event", "Actor", "Agent", "Outcome", "Details"]}>
      {events.map((event) => (
        <tr
          key={event.id}
          data-event-id={event.id}
          data-live={liveIds.has(event.id) ? "true" : undefined}
          onClick={() => onOpen(event)}
          className="cursor-pointer align-top hover:bg-zinc-50 data-[live=true]:bg-emerald-50/60 dark:hover:bg-zinc-800/40 dark:data-[live=true]:bg-emerald-950/30"
        >
          <td className="py-2 pr-3 font-mono text-xs text-zinc-500">
            <button
              type="button"
              onClick={(click) => {
                click.stopPropagation();
                onOpen(event);
              }}
              className="rounded hover:underline focus-visible:outline-2 focus-visible:outline-emerald-600"
              aria-label={`Open event ${event.id}`}
            >
              {event.id}
            </button>
          </td>
          <td className="whitespace-nowrap py-2 pr-3">{formatTime(event.time)}</td>
          <td className="py-2 pr-3">
            <span className="text-zinc-500 dark:text-zinc-400">{event.category}/</span>
            <span className="font-medium">{event.action}</span>
          </td>
          <td className="py-2 pr-3 font-mono text-xs">{event.actor}</td>
          <td className="py-2 pr-3">{event.agent ?? "—"}</td>
          <td className="py-2 pr-3">
            <Badge tone={outcomeTone[event.outcome] ?? "neutral"}>{event.outcome}</Badge>
          </td>
          <td className="max-w-xs truncate py-2 font-mono text-xs text-zinc-600 dark:text-zinc-400">
            {JSON.stringify(event.details)}
          </td>
        </tr>
      ))}
    </DataTable>
  );
}
