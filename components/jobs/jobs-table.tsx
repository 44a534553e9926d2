"use client";

import Link from "next/link";
import { ago, formatBytes, formatTime } from "@/components/format";
import { DataTable, linkClass, useNow } from "@/components/ui";
import { ActivityBadge, ErrorTypeBadge, JobStatusBadge } from "./job-status-badge";
import { elapsedOf, type JobListItem } from "./job-types";

const cell = "py-2.5 pr-3 align-top";

/** The first line of the prompt, short enough for a table cell; the whole excerpt is its tooltip. */
export function promptExcerpt(prompt: string, length = 90): string {
  const line = prompt.trim().split("\n")[0] ?? "";
  return line.length > length ? `${line.slice(0, length - 1)}…` : line;
}

function JobRow({ job, now }: { job: JobListItem; now: number }) {
  const elapsed = elapsedOf(job, now);
  return (
    <tr data-job={job.id} className="hover:bg-zinc-50 dark:hover:bg-zinc-800/40">
      <td className={`${cell} whitespace-nowrap`}>
        <Link href={`/jobs/${job.id}`} className={`font-mono text-xs font-medium ${linkClass}`}>
          {job.id}
        </Link>
      </td>
      <td className={cell}>
        <span className="inline-flex flex-col items-start gap-1">
          <JobStatusBadge status={job.status} stopping={job.stopping} />
          <ErrorTypeBadge errorType={job.errorType} />
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

export function JobsTable({ jobs }: { jobs: JobListItem[] }) {
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
        <JobRow key={job.id} job={job} now={now} />
      ))}
    </DataTable>
  );
}
