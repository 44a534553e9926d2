import Link from "next/link";
import { ago, formatTime } from "@/components/format";
import { Badge, cellClass, linkClass, smallButtonClass, smallDangerButtonClass } from "@/components/ui";
import { type Grant, personOf } from "./access-types";

/**
 * One person's role on one agent: since when and from whom, their jobs right with a button to
 * switch it, and the Revoke button. `agentColumn` is false where the table is one agent's.
 */
export function GrantRow({
  grant,
  agentColumn,
  now,
  confirming,
  jobsPending,
  onToggleJobs,
  onAskRevoke,
}: {
  grant: Grant;
  agentColumn: boolean;
  now: number;
  confirming: boolean;
  jobsPending: boolean;
  onToggleJobs: (grant: Grant) => void;
  onAskRevoke: (grant: Grant) => void;
}) {
  return (
    <tr data-grant={grant.id}>
      {agentColumn ? (
        <td className={cellClass}>
          <Link href={`/agents/${grant.agent}?tab=access`} className={`font-medium ${linkClass}`}>
            {grant.agent}
          </Link>
        </td>
      ) : null}
      <td className={cellClass}>
        {grant.subjectName ?? "—"}
        <span className="block text-xs text-zinc-500 dark:text-zinc-400">Telegram id {grant.subjectId}</span>
      </td>
      <td className={cellClass}>
        <Badge tone={grant.role === "admin" ? "warn" : "neutral"}>{grant.role}</Badge>
      </td>
      <td className={`${cellClass} whitespace-nowrap`}>
        <span className="mr-2">
          {grant.jobs ? (
            <Badge tone="warn">{`up to ${grant.jobsPerHour}/h`}</Badge>
          ) : (
            <span className="text-xs text-zinc-500 dark:text-zinc-400">no</span>
          )}
        </span>
        <button
          type="button"
          className={smallButtonClass}
          disabled={jobsPending}
          aria-label={`${grant.jobs ? "Stop" : "Allow"} jobs for ${personOf(grant)} on ${grant.agent}`}
          onClick={() => onToggleJobs(grant)}
        >
          {grant.jobs ? "Stop" : "Allow"}
        </button>
      </td>
      <td className={`${cellClass} whitespace-nowrap`} title={formatTime(grant.createdAt)}>
        {ago(grant.createdAt, now)}
      </td>
      <td className={`${cellClass} text-xs text-zinc-500 dark:text-zinc-400`}>{grant.createdBy}</td>
      <td className={`${cellClass} pr-0 text-right`}>
        <button
          type="button"
          className={smallDangerButtonClass}
          aria-label={`Revoke ${personOf(grant)} on ${grant.agent}`}
          aria-expanded={confirming}
          onClick={() => onAskRevoke(grant)}
        >
          Revoke
        </button>
      </td>
    </tr>
  );
}
