"use client";

import Link from "next/link";
import { ago, formatBytes, formatTime } from "@/components/format";
import { buttonClass, DataTable, linkClass, smallDangerButtonClass, useNow } from "@/components/ui";
import { ActivityBadge, ErrorTypeBadge, JobStatusBadge } from "./job-status-badge";
import { elapsedOf, isLive, type JobListItem } from "./job-types";

const cell = "py-2.5 pr-3 align-top";

/** The first line of the prompt, short enough for a table cell; the whole excerpt is its tooltip. */
export function promptExcerpt(prompt: string, length = 90): string {
  const line = prompt.trim().split("\n")[0] ?? "";
  return line.length > length ? `${line.slice(0, length - 1)}…` : line;
}

/** "started by agent NAME", linking to the agent; nothing for a person's job. */
export function StartedBy({ agent, className = "" }: { agent: string | null; className?: string }) {
  if (!agent) return null;
  return (
    <span data-job-agent={agent} className={className}>
      started by agent{" "}
      <Link href={`/agents/${agent}`} className={`font-medium ${linkClass}`}>
        {agent}
      </Link>
    </span>
  );
}

/** Cancel buttons on the rows of live jobs: the caller asks for confirmation and cancels. */
export type RowCancel = { confirming: string | null; onAsk: (jobId: string) => void };

function JobRow({ job, now, cancel }: { job: JobListItem; now: number; cancel?: RowCancel }) {
  const elapsed = elapsedOf(job, now);
  return (
    <tr data-job={job.id} className="hover:bg-zinc-50 dark:hover:bg-zinc-800/40">
      <td className={cell}>
        <Link
          href={`/jobs/${job.id}`}
          className={`whitespace-nowrap font-mono text-xs font-medium ${linkClass}`}
        >
          {job.id}
        </Link>
        {/* Wraps on a phone rather than widening the first column past the screen. */}
        <StartedBy agent={job.agent} className="block min-w-28 text-xs text-zinc-500 dark:text-zinc-400" />
      </td>
      <td className={cell}>
        <span className="inline-flex flex-col items-start gap-1">
          <JobStatusBadge status={job.status} stopping={job.stopping} />
          <ErrorTypeBadge errorType={job.errorType} />
          {/* Here, not in a last column: on a phone it stays on the screen. */}
          {cancel && isLive(job.status) ? (
            <button
              type="button"
              className={smallDangerButtonClass}
              disabled={Boolean(job.stopping)}
              aria-label={`Cancel ${job.id}`}
              aria-expanded={cancel.confirming === job.id}
              onClick={() => cancel.onAsk(job.id)}
            >
              {job.stopping ? "Cancelling…" : "Cancel"}
            </button>
          ) : null}
        </span>
      </td>
      <td className={`${cell} whitespace-nowrap`}>
        <Link
          href={`/jobs?session=${job.sessionId}`}
          className={`font-mono text-xs ${linkClass}`}
          title={`Only the jobs of session ${job.sessionId}`}
        >
          {job.sessionId}
        </Link>
        {job.resumed ? <span className="block text-xs text-zinc-500 dark:text-zinc-400">resumed</span> : null}
      </td>
      <td className={`${cell} max-w-72`}>
        <span className="block truncate" title={job.prompt}>
          {promptExcerpt(job.prompt)}
        </span>
      </td>
      <td className={`${cell} whitespace-nowrap text-xs`}>
        <span title={formatTime(job.createdAt)}>{ago(job.createdAt, now)}</span>
        {job.startedAt ? (
          <span className="block text-zinc-500 dark:text-zinc-400" title={formatTime(job.startedAt)}>
            started {new Date(job.startedAt).toLocaleTimeString()}
          </span>
        ) : null}
      </td>
      <td className={`${cell} whitespace-nowrap tabular-nums`}>{elapsed ?? "—"}</td>
      <td className={`${cell} whitespace-nowrap text-right tabular-nums`}>
        {job.outputBytes ? formatBytes(job.outputBytes) : "—"}
        {job.eventCount ? (
          <span className="block text-xs text-zinc-500 dark:text-zinc-400">
            {job.eventCount.toLocaleString()} {job.eventCount === 1 ? "event" : "events"}
          </span>
        ) : null}
      </td>
      <td className={`${cell} pr-0`}>
        {job.status === "running" ? <ActivityBadge activity={job.activity} /> : null}
      </td>
    </tr>
  );
}

/** The jobs, newest first; with `cancel`, a live job's row has a Cancel button. */
export function JobsTable({ jobs, cancel }: { jobs: JobListItem[]; cancel?: RowCancel }) {
  const now = useNow();
  return (
    <DataTable
      label="Jobs"
      columns={[
        "Job",
        "Status",
        "Session",
        "Prompt",
        "Created",
        "Elapsed",
        { label: "Output", align: "right" },
        "Activity",
      ]}
    >
      {jobs.map((job) => (
        <JobRow key={job.id} job={job} now={now} cancel={cancel} />
      ))}
    </DataTable>
  );
}

/** Under a list of jobs with more pages: loads the next, older one. */
export function OlderJobsButton({
  list,
}: {
  list: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => Promise<unknown> };
}) {
  if (!list.hasNextPage) return null;
  return (
    <button
      type="button"
      className={buttonClass}
      disabled={list.isFetchingNextPage}
      onClick={() => void list.fetchNextPage()}
    >
      {list.isFetchingNextPage ? "Loading…" : "Show older jobs"}
    </button>
  );
}
