import Link from "next/link";
import { ago, formatTime } from "@/components/format";
import { Badge, cellClass, linkClass, smallButtonClass, smallDangerButtonClass } from "@/components/ui";
import { type JobSessionItem, shortClaudeSession } from "./job-types";
import { StartedBy } from "./jobs-table";

/** An open session: when it was made and last used, its jobs now, and its Resume and Clean up buttons. */
export function SessionRow({
  session,
  now,
  confirming,
  onResume,
  onAskCleanup,
}: {
  session: JobSessionItem;
  now: number;
  confirming: boolean;
  onResume: (sessionId: string) => void;
  onAskCleanup: (sessionId: string) => void;
}) {
  const busy = session.running + session.pending > 0;
  return (
    <tr data-session={session.id} className="hover:bg-zinc-50 dark:hover:bg-zinc-800/40">
      <td className={`${cellClass} whitespace-nowrap`}>
        <Link
          href={`/jobs?session=${session.id}`}
          className={`font-mono text-xs font-medium ${linkClass}`}
          title={`Only the jobs of session ${session.id}`}
        >
          {session.id}
        </Link>
        <span className="block text-xs text-zinc-500 dark:text-zinc-400">from {session.template}</span>
        <StartedBy
          agent={session.agent}
          className="block whitespace-normal text-xs text-zinc-500 dark:text-zinc-400"
        />
      </td>
      <td className={`${cellClass} whitespace-nowrap text-xs`} title={formatTime(session.createdAt)}>
        {ago(session.createdAt, now)}
      </td>
      <td className={`${cellClass} whitespace-nowrap text-xs`} title={formatTime(session.lastActivityAt)}>
        {ago(session.lastActivityAt, now)}
      </td>
      <td className={`${cellClass} text-right tabular-nums`}>{session.jobs}</td>
      <td className={`${cellClass} whitespace-nowrap`}>
        {session.running ? <Badge tone="warn">{session.running} running</Badge> : null}{" "}
        {session.pending ? <Badge tone="neutral">{session.pending} waiting</Badge> : null}
        {!busy ? <span className="text-zinc-500">idle</span> : null}
      </td>
      <td
        className={`${cellClass} whitespace-nowrap font-mono text-xs`}
        title={session.claudeSessionId ?? undefined}
      >
        {session.claudeSessionId ? shortClaudeSession(session.claudeSessionId) : "—"}
      </td>
      <td className={`${cellClass} pr-0`}>
        <div className="flex items-center justify-end gap-1.5">
          {/* Only the agent continues its own sessions. */}
          {session.agent ? null : (
            <button
              type="button"
              className={smallButtonClass}
              aria-label={`Resume ${session.id}`}
              onClick={() => onResume(session.id)}
            >
              Resume
            </button>
          )}
          <button
            type="button"
            className={smallDangerButtonClass}
            disabled={busy}
            title={busy ? "A job of this session runs or waits; cancel it or let it end first." : undefined}
            aria-label={`Clean up ${session.id}`}
            aria-expanded={confirming}
            onClick={() => onAskCleanup(session.id)}
          >
            Clean up
          </button>
        </div>
      </td>
    </tr>
  );
}
