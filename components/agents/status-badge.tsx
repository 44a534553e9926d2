import { Badge, type Tone } from "@/components/ui";
import type { AgentLive } from "./agent-types";

/** What the badge says and how loudly: "starting…" while the Gateway is not answering yet. */
export function statusOf(live: AgentLive | null): { label: string; tone: Tone } {
  if (!live) return { label: "checking…", tone: "neutral" };
  switch (live.state) {
    case "running":
      return live.ready ? { label: "ready", tone: "ok" } : { label: "starting…", tone: "warn" };
    case "exited":
      return { label: live.exitCode === null ? "exited" : `exited ${live.exitCode}`, tone: "fail" };
    case "missing":
      return { label: "missing", tone: "fail" };
    case "paused":
      return { label: "paused", tone: "warn" };
    case "unknown":
      return { label: "unknown", tone: "warn" };
    default:
      return { label: live.state, tone: "neutral" };
  }
}

export function StatusBadge({ live, showNote = false }: { live: AgentLive | null; showNote?: boolean }) {
  const { label, tone } = statusOf(live);
  const note = live?.note ?? undefined;
  return (
    <span className="inline-flex flex-col items-start gap-0.5">
      <span title={note} data-agent-state={live?.state ?? "checking"}>
        <Badge tone={tone}>{label}</Badge>
      </span>
      {showNote && note ? <span className="text-xs text-zinc-500 dark:text-zinc-400">{note}</span> : null}
    </span>
  );
}
