"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useParams } from "next/navigation";
import { type ReactNode, useCallback, useState } from "react";
import { ago, formatBytes, formatTime } from "@/components/format";
import { workspaceNote } from "@/components/jobs/agent-job-text";
import { CancelJobButton, CancelJobFeedback, useJobCancel } from "@/components/jobs/job-cancel";
import { JobEventsView } from "@/components/jobs/job-events-view";
import { JobMetrics } from "@/components/jobs/job-metrics";
import { JobModelUsage } from "@/components/jobs/job-model-usage";
import { ActivityBadge, ErrorTypeBadge, JobStatusBadge } from "@/components/jobs/job-status-badge";
import {
  elapsedOf,
  formatDuration,
  formatUsd,
  isLive,
  type JobDetail,
  jobsPollMs,
  shortClaudeSession,
  tokensOf,
} from "@/components/jobs/job-types";
import { StartedBy } from "@/components/jobs/jobs-table";
import { ResumeForm } from "@/components/jobs/resume-form";
import { PageHeader } from "@/components/page-header";
import { useTRPC } from "@/components/trpc";
import { Badge, Card, ErrorAlert, Facts, linkClass, Skeleton, useNow } from "@/components/ui";

/** The page opens on the last events; earlier ones page in on request. */
const initialEvents = 1000;
const mono = "break-all font-mono text-xs";

function queueText(position: number): string {
  if (position === 0) return "next in its session";
  return `${position} ${position === 1 ? "job" : "jobs"} ahead in its session`;
}

function JobFacts({ job, now }: { job: JobDetail; now: number }) {
  const closed = Boolean(job.session.closedAt);
  const rows: [string, ReactNode][] = [
    [
      "Session",
      <span key="s" className="inline-flex flex-wrap items-center gap-2">
        <Link href={`/jobs?session=${job.sessionId}`} className={`font-mono text-xs ${linkClass}`}>
          {job.sessionId}
        </Link>
        {closed ? <Badge tone="neutral">cleaned up</Badge> : null}
      </span>,
    ],
    [
      "Claude session",
      job.session.claudeSessionId ? (
        <span key="c" className={mono} title={job.session.claudeSessionId}>
          {job.session.claudeSessionId}
          {job.resumed ? (
            <span className="ml-2 font-sans text-zinc-500">
              (this job resumed {shortClaudeSession(job.resumed)})
            </span>
          ) : null}
        </span>
      ) : (
        <span key="c" className="text-zinc-500">
          {isLive(job.status) ? "recorded when this job ends" : "none reported"}
        </span>
      ),
    ],
    ["Template", job.session.template],
    [
      "Prompt",
      <pre
        key="p"
        className="max-h-64 overflow-auto whitespace-pre-wrap break-words rounded-md bg-zinc-100 px-3 py-2 font-mono text-xs dark:bg-zinc-950"
      >
        {job.prompt}
      </pre>,
    ],
    ["Created", formatTime(job.createdAt)],
  ];
  if (job.status === "pending") rows.push(["Queue", queueText(job.queuePosition)]);
  rows.push(["Started", job.startedAt ? formatTime(job.startedAt) : "not yet"]);
  if (job.finishedAt) rows.push(["Finished", formatTime(job.finishedAt)]);
  if (job.exitCode !== null) rows.push(["Exit code", String(job.exitCode)]);
  if (job.errorType || job.errorMessage)
    rows.push([
      job.status === "cancelled" ? "Cancelled" : "Error",
      <div key="e" className="space-y-1">
        <ErrorTypeBadge errorType={job.errorType} />
        {job.errorMessage ? (
          <pre
            className={`whitespace-pre-wrap break-words font-mono text-xs ${job.status === "failed" ? "text-red-700 dark:text-red-400" : ""}`}
          >
            {job.errorMessage}
          </pre>
        ) : null}
      </div>,
    ]);
  rows.push([
    "Output",
    `${formatBytes(job.outputBytes)} · ${job.eventCount.toLocaleString()} ${job.eventCount === 1 ? "event" : "events"}`,
  ]);
  rows.push([
    "Last output",
    job.lastOutputAt ? (
      <span key="l" title={formatTime(job.lastOutputAt)}>
        {ago(job.lastOutputAt, now)}
      </span>
    ) : isLive(job.status) ? (
      "none yet"
    ) : (
      "none"
    ),
  ]);
  if (job.status === "running")
    rows.push(["Open tool calls", job.openToolCalls ? String(job.openToolCalls) : "none"]);
  if (job.containerId)
    rows.push([
      "Container",
      <span key="ct" className={mono} title={job.containerId}>
        {job.containerId.slice(0, 12)}
      </span>,
    ]);
  return <Facts rows={rows} />;
}

function ResultSummary({ result }: { result: NonNullable<JobDetail["result"]> }) {
  const tokens = tokensOf(result.usage);
  return (
    <Facts
      rows={[
        [
          "Outcome",
          <Badge key="o" tone={result.isError ? "fail" : "ok"}>
            {result.isError ? "error" : "success"}
          </Badge>,
        ],
        ["Cost", result.costUsd !== null ? formatUsd(result.costUsd) : null],
        ["Turns", result.numTurns !== null ? String(result.numTurns) : null],
        ["Duration", result.durationMs !== null ? formatDuration(result.durationMs) : null],
        ["Tokens", tokens],
        ...(result.apiErrorStatus !== null || result.apiErrorType
          ? ([
              [
                "API error",
                [result.apiErrorStatus, result.apiErrorType].filter((part) => part !== null).join(" "),
              ],
            ] as [string, string][])
          : []),
      ]}
    />
  );
}

function Header({
  job,
  now,
  cancel,
}: {
  job: JobDetail;
  now: number;
  cancel: ReturnType<typeof useJobCancel>;
}) {
  const elapsed = elapsedOf(job, now);
  const workspace = workspaceNote(job.session);
  return (
    <PageHeader
      title={<span className="font-mono">{job.id}</span>}
      parent={{ href: "/jobs", label: "Jobs" }}
      description={
        <span className="mt-1 inline-flex flex-wrap items-center gap-2" aria-live="polite">
          <JobStatusBadge status={job.status} stopping={job.stopping} />
          {elapsed ? <span className="tabular-nums">{elapsed}</span> : null}
          {job.status === "running" ? <ActivityBadge activity={job.activity} /> : null}
          <ErrorTypeBadge errorType={job.errorType} />
          <StartedBy agent={job.agent} />
          {workspace ? <span data-job-workspace={job.session.agent}>· {workspace}</span> : null}
        </span>
      }
      actions={
        isLive(job.status) ? <CancelJobButton state={cancel} stopping={Boolean(job.stopping)} /> : null
      }
    />
  );
}

function JobView({ id }: { id: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const now = useNow();
  const get = useQuery({
    ...trpc.jobs.get.queryOptions({ id }),
    refetchInterval: (query) => (query.state.data && isLive(query.state.data.status) ? jobsPollMs : false),
  });
  const cancel = useJobCancel(id);
  // Fixed once: the socket starts at the last `initialEvents`; earlier ones page in on request.
  const [start, setStart] = useState<number | undefined>(undefined);
  if (start === undefined && get.data) setStart(Math.max(0, get.data.eventCount - initialEvents));

  const onStatus = useCallback(
    (status: string) => {
      const shown = queryClient.getQueryData(trpc.jobs.get.queryKey({ id }))?.status;
      if (shown === status) return;
      void queryClient.invalidateQueries({ queryKey: trpc.jobs.get.queryKey({ id }) });
      void queryClient.invalidateQueries({ queryKey: trpc.jobs.list.pathKey() });
      void queryClient.invalidateQueries({ queryKey: trpc.jobs.sessions.queryKey() });
    },
    [id, queryClient, trpc],
  );

  if (get.error)
    return (
      <div className="space-y-6">
        <PageHeader
          title={<span className="font-mono">{id}</span>}
          parent={{ href: "/jobs", label: "Jobs" }}
        />
        <ErrorAlert error={get.error} title="Could not load the job" />
        <p className="text-sm">
          <Link href="/jobs" className={linkClass}>
            Back to the jobs
          </Link>
        </p>
      </div>
    );
  const job = get.data;
  if (!job || start === undefined)
    return (
      <div className="space-y-6">
        <PageHeader
          title={<span className="font-mono">{id}</span>}
          parent={{ href: "/jobs", label: "Jobs" }}
        />
        <Skeleton lines={6} />
      </div>
    );
  const running = job.status === "running";

  return (
    <div className="space-y-6">
      <Header job={job} now={now} cancel={cancel} />
      <CancelJobFeedback state={cancel} status={job.status} />

      <div className="grid gap-6 lg:grid-cols-[3fr_2fr]">
        <Card title="Job">
          <JobFacts job={job} now={now} />
        </Card>
        <div className="space-y-6">
          <Card title="Resources">
            <JobMetrics metrics={job.metrics} running={running} />
          </Card>
          <Card title="Model">
            <JobModelUsage id={job.id} live={isLive(job.status)} />
          </Card>
          {job.result ? (
            <Card title="Result">
              <ResultSummary result={job.result} />
            </Card>
          ) : null}
        </div>
      </div>

      {job.stderrTail.trim() ? (
        <Card title="Standard error (last 4 KB)">
          <pre className="max-h-64 overflow-auto whitespace-pre-wrap break-words rounded-md bg-zinc-950 p-3 font-mono text-xs text-zinc-100">
            {job.stderrTail}
          </pre>
        </Card>
      ) : null}

      <Card title="Events">
        <JobEventsView key={id} jobId={id} start={start} status={job.status} onStatus={onStatus} />
      </Card>

      <Card title="Resume this session">
        <ResumeForm
          sessionId={job.sessionId}
          agent={job.session.agent}
          closed={Boolean(job.session.closedAt)}
          waitsForThisJob={isLive(job.status)}
        />
      </Card>
    </div>
  );
}

export default function JobPage() {
  const { id } = useParams<{ id: string }>();
  return <JobView key={id} id={id} />;
}
