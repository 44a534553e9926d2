"use client";

import { useInfiniteQuery, useQuery, useQueryClient } from "@tanstack/react-query";
import { ago, formatTime } from "@/components/format";
import { useTRPC } from "@/components/trpc";
import {
  Badge,
  buttonClass,
  Card,
  cellClass,
  DataTable,
  fieldClass,
  QueryState,
  type Tone,
  useNow,
} from "@/components/ui";
import {
  type ApprovalItem,
  decisionText,
  destinationOf,
  type GrantItem,
  type HistoryFilter,
  historyStatuses,
  requestLineOf,
} from "./approval-types";
import { Requester } from "./requester";

const pageSize = 50;
const statusTone: Record<string, Tone> = {
  allowed: "ok",
  denied: "fail",
  expired: "neutral",
  pending: "warn",
};
const channelText: Record<string, string> = {
  panel: "in the panel",
  cli: "from the CLI",
  telegram: "in Telegram",
  system: "by the panel itself",
};
const selectClass = `${fieldClass.replace("w-full ", "")} mt-1 block w-44`;
const labelClass = "block text-xs font-medium text-zinc-600 dark:text-zinc-400";

function HistoryRow({ approval, grant, now }: { approval: ApprovalItem; grant?: GrantItem; now: number }) {
  const line = requestLineOf(approval);
  return (
    <tr data-approval-history={approval.id} data-status={approval.status}>
      <td className={`${cellClass} align-top whitespace-nowrap text-xs`}>
        <span title={formatTime(approval.createdAt)}>{ago(approval.createdAt, now)}</span>
        <span className="block font-mono text-zinc-500 dark:text-zinc-400">{approval.id}</span>
      </td>
      <td className={`${cellClass} min-w-32 align-top`}>
        <Requester agent={approval.agent} job={approval.job} />
      </td>
      <td className={`${cellClass} max-w-72 align-top`}>
        <span className="font-mono text-xs">{destinationOf(approval)}</span>
        {line ? (
          <span className="block truncate font-mono text-xs text-zinc-500 dark:text-zinc-400" title={line}>
            {line}
          </span>
        ) : null}
      </td>
      <td className={`${cellClass} align-top tabular-nums`}>{approval.asked}</td>
      <td className={`${cellClass} min-w-40 align-top`}>
        <Badge tone={statusTone[approval.status] ?? "neutral"}>
          {approval.status === "pending" ? "waiting" : approval.status}
        </Badge>
        {approval.status !== "pending" ? (
          <span className="mt-1 block break-words text-xs" data-approval-answer>
            {decisionText(approval, grant)}
          </span>
        ) : null}
      </td>
      <td className={`${cellClass} pr-0 align-top text-xs`}>
        {approval.decidedAt ? (
          <>
            <span className="block">
              {approval.decidedBy ?? "someone"} {channelText[approval.channel ?? ""] ?? ""}
            </span>
            <span
              className="block whitespace-nowrap text-zinc-500 dark:text-zinc-400"
              title={formatTime(approval.decidedAt)}
            >
              {ago(approval.decidedAt, now)}
            </span>
          </>
        ) : (
          "—"
        )}
      </td>
    </tr>
  );
}

function HistoryFilters({
  filter,
  onChange,
}: {
  filter: HistoryFilter;
  onChange: (next: HistoryFilter) => void;
}) {
  const trpc = useTRPC();
  const agents = useQuery(trpc.agents.list.queryOptions());
  const names = [...new Set([...(agents.data?.agents.map((agent) => agent.name) ?? []), filter.agent ?? ""])]
    .filter(Boolean)
    .sort();
  return (
    <div className="flex flex-wrap gap-3">
      <div>
        <label htmlFor="approvals-history-status" className={labelClass}>
          Status
        </label>
        <select
          id="approvals-history-status"
          value={filter.status ?? ""}
          onChange={(event) =>
            onChange({ ...filter, status: (event.target.value || undefined) as HistoryFilter["status"] })
          }
          className={selectClass}
        >
          <option value="">any answer</option>
          {historyStatuses.map((status) => (
            <option key={status} value={status}>
              {status}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor="approvals-history-agent" className={labelClass}>
          Agent
        </label>
        <select
          id="approvals-history-agent"
          value={filter.agent ?? ""}
          onChange={(event) => onChange({ ...filter, agent: event.target.value || undefined })}
          className={selectClass}
        >
          <option value="">every agent</option>
          {names.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </div>
    </div>
  );
}

/**
 * Requests answered or closed, newest first, a page at a time (the `before` cursor): who answered,
 * how, through which channel and when. Filtered by status and agent (kept in the page's URL).
 */
export function HistoryCard({
  filter,
  onFilterChange,
}: {
  filter: HistoryFilter;
  onFilterChange: (next: HistoryFilter) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const now = useNow(5_000);
  const history = useInfiniteQuery({
    // Under the list's key, so the live tail's refresh of every approvals query reaches it too.
    queryKey: [...trpc.approvals.list.pathKey(), { history: filter }],
    queryFn: ({ pageParam }) =>
      queryClient.fetchQuery({
        ...trpc.approvals.list.queryOptions({ ...filter, limit: pageSize, before: pageParam }),
        staleTime: 0,
      }),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => (page.length === pageSize ? (page.at(-1)?.id ?? null) : null),
  });
  // Grants say how many minutes or uses a decision gave.
  const grants = useQuery(trpc.approvals.grants.queryOptions({ ended: true }));
  const grantById = new Map(grants.data?.map((grant) => [grant.id, grant]));
  // Without a status filter, the waiting ones are left to the card above.
  const rows = history.data?.pages
    .flat()
    .filter((approval) => filter.status || approval.status !== "pending");
  const filtered = Boolean(filter.status || filter.agent);

  return (
    <Card title="History">
      <div className="space-y-4">
        <HistoryFilters filter={filter} onChange={onFilterChange} />
        <QueryState
          query={{ data: rows, error: history.error }}
          errorTitle="Could not load the history"
          lines={4}
          empty={
            <p>
              {filtered
                ? "No requests match these filters."
                : "No requests answered yet. Each one answered or closed is listed here, with who answered it and how."}
            </p>
          }
        >
          {(approvals) => (
            <div className="space-y-3">
              <DataTable
                label="Approval history"
                columns={["Requested", "For", "Destination", "Asked", "Answer", "Decided"]}
              >
                {approvals.map((approval) => (
                  <HistoryRow
                    key={approval.id}
                    approval={approval}
                    grant={approval.grantId ? grantById.get(approval.grantId) : undefined}
                    now={now}
                  />
                ))}
              </DataTable>
              {history.hasNextPage ? (
                <button
                  type="button"
                  className={buttonClass}
                  disabled={history.isFetchingNextPage}
                  onClick={() => void history.fetchNextPage()}
                >
                  {history.isFetchingNextPage ? "Loading…" : "Show older requests"}
                </button>
              ) : null}
            </div>
          )}
        </QueryState>
      </div>
    </Card>
  );
}
