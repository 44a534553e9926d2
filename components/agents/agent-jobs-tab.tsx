"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import {
  jobsNetworkText,
  jobsWorkspaceText,
  quotaRefusal,
  quotaSummary,
} from "@/components/jobs/agent-job-text";
import { RowCancelFeedback, useRowCancel } from "@/components/jobs/job-cancel";
import { type AgentJobQuota, jobsPollMs } from "@/components/jobs/job-types";
import { JobsTable, OlderJobsButton } from "@/components/jobs/jobs-table";
import { useJobsList } from "@/components/jobs/use-jobs-list";
import { useTRPC } from "@/components/trpc";
import { Card, Facts, linkClass, QueryState } from "@/components/ui";
import { useReconnectingSocket } from "@/components/use-reconnecting-socket";

const code = "rounded bg-zinc-100 px-1 font-mono text-xs dark:bg-zinc-800";
/** The hourly count drops as its jobs age out of the hour, without an event to say so. */
const hourlyPollMs = 60_000;

/** What the agent's signed policy lets it start, and how much of that it uses now. */
function QuotaCard({ name, quota }: { name: string; quota: NonNullable<AgentJobQuota> }) {
  const { policy } = quota;
  if (!policy) return null;
  const refusal = quotaRefusal(quota);
  return (
    <Card title="Claude Code jobs">
      <div className="space-y-4">
        <p data-testid="agent-job-quota" className="text-base font-medium tabular-nums" aria-live="polite">
          {quotaSummary(quota)}
        </p>
        {refusal ? (
          <p
            role="status"
            className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950/40 dark:text-amber-200"
          >
            {refusal}
          </p>
        ) : null}
        <Facts
          rows={[
            [
              "Job template",
              <span key="t" className="font-mono text-xs">
                {policy.template}
              </span>,
            ],
            ["Workspace", jobsWorkspaceText(policy.workspace, name)],
            ["Network", jobsNetworkText(policy.network)],
          ]}
        />
        <p className="text-xs text-zinc-500 dark:text-zinc-400">
          From the agent&apos;s signed lock: change the <code className={code}>jobs:</code> section of its
          template and re-lock. Each job runs in its own container, with the job template&apos;s limits.
        </p>
      </div>
    </Card>
  );
}

/** Said instead of the quota when the agent's policy has no `jobs` section (or one not enabled). */
function NoJobsPolicy({ name, template }: { name: string; template: string | undefined }) {
  return (
    <div
      role="note"
      data-testid="agent-jobs-not-allowed"
      className="space-y-2 rounded-md border border-zinc-200 bg-zinc-50 px-4 py-3 text-sm dark:border-zinc-800 dark:bg-zinc-900"
    >
      <p className="font-medium">{name}&apos;s policy allows no Claude Code jobs.</p>
      <p className="text-zinc-600 dark:text-zinc-400">
        To allow them, add a <code className={code}>jobs:</code> section to its template
        {template ? (
          <>
            {" "}
            (
            <Link href={`/templates/${template}`} className={linkClass}>
              {template}
            </Link>
            )
          </>
        ) : null}
        , for example{" "}
        <code className={code}>
          jobs: {"{"}enabled: true, maxConcurrent: 1, maxPerHour: 10, workspace: session{"}"}
        </code>
        , then re-lock the agent (Policy tab, or <code className={code}>claw policy relock {name}</code>) and
        restart it.
      </p>
    </div>
  );
}

/**
 * The Claude Code jobs the agent started itself (its claude_code_start tool), live: the list is
 * asked again on each of its job events in the audit log (queued, started, ended, refused) and
 * every couple of seconds while one runs, so the counters move. A person may cancel any of them.
 */
export function AgentJobsTab({ name, template }: { name: string; template: string | undefined }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const quota = useQuery({
    ...trpc.jobs.agentQuota.queryOptions({ agent: name }),
    refetchInterval: (query) =>
      query.state.data?.active ? jobsPollMs : query.state.data?.lastHour ? hourlyPollMs : false,
  });
  const { list, jobs } = useJobsList({ agent: name });
  const rowCancel = useRowCancel();

  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.jobs.list.pathKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.jobs.agentQuota.queryKey({ agent: name }) });
  };
  // A (re)connect may follow events missed while the socket was down: look again then too.
  useReconnectingSocket<{ type: string }>(
    `/ws/audit?${new URLSearchParams({ category: "job", agent: name })}`,
    {
      onOpen: refresh,
      onMessage: (message) => {
        if (message.type === "events") refresh();
      },
    },
  );

  const allowed = Boolean(quota.data?.policy);

  return (
    <div className="space-y-6">
      <QueryState query={quota} errorTitle="Could not load the agent's job policy" lines={4}>
        {(data) =>
          data.policy ? (
            <QuotaCard name={name} quota={data} />
          ) : (
            <NoJobsPolicy name={name} template={template} />
          )
        }
      </QueryState>

      <Card
        title="Jobs it started"
        action={
          <Link
            href={`/audit?category=job&agent=${encodeURIComponent(name)}`}
            className={`text-sm ${linkClass}`}
          >
            In the audit log
          </Link>
        }
      >
        <QueryState
          query={{ data: jobs, error: list.error }}
          errorTitle="Could not load the agent's jobs"
          lines={3}
          empty={
            <p data-testid="agent-jobs-empty">
              {allowed || !quota.data
                ? "No jobs yet. The agent starts them with its claude_code_start tool."
                : "No jobs: it has never started one."}
            </p>
          }
        >
          {(shown) => (
            <div className="space-y-3">
              <JobsTable jobs={shown} cancel={rowCancel.row} />
              <RowCancelFeedback state={rowCancel} jobs={shown} />
              <OlderJobsButton list={list} />
            </div>
          )}
        </QueryState>
      </Card>
    </div>
  );
}
