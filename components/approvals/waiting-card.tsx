"use client";

import { useQuery } from "@tanstack/react-query";
import { ago, formatTime } from "@/components/format";
import { useTRPC } from "@/components/trpc";
import { Badge, Card, Facts, QueryState, useNow } from "@/components/ui";
import { type ApprovalItem, destinationOf, requestLineOf, timeLeft } from "./approval-types";
import { DecisionControls } from "./decision-controls";
import { Requester } from "./requester";

/** Repeats (`asked`) and held connections change without an event: look again while any wait. */
const waitingPollMs = 2_000;

function WaitingRequest({ approval, now }: { approval: ApprovalItem; now: number }) {
  const titleId = `approval-${approval.id}`;
  const line = requestLineOf(approval);
  const expiresAt = new Date(approval.expiresAt).getTime();
  return (
    <article
      aria-labelledby={titleId}
      data-approval={approval.id}
      className="space-y-4 rounded-md border border-amber-300 p-4 dark:border-amber-800"
    >
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h3 id={titleId} className="min-w-0 break-words font-medium">
          <Requester agent={approval.agent} job={approval.job} capital /> wants to reach{" "}
          <span className="font-mono">{destinationOf(approval)}</span>
        </h3>
        <span className="text-sm text-zinc-600 dark:text-zinc-400" data-approval-countdown>
          {expiresAt > now ? (
            <>
              denied by itself in <span className="tabular-nums">{timeLeft(expiresAt, now)}</span>
            </>
          ) : (
            "answering itself now…"
          )}
        </span>
      </div>
      <Facts
        rows={[
          [
            "Request",
            line ? (
              <span key="line" className="break-all font-mono text-xs">
                {line}
              </span>
            ) : (
              "an HTTPS tunnel (CONNECT): the path is not visible"
            ),
          ],
          ["Asked", `${approval.asked} ${approval.asked === 1 ? "time" : "times"}`],
          [
            "Held now",
            approval.waiting ? (
              <Badge key="held" tone="warn">
                {approval.waiting} {approval.waiting === 1 ? "connection" : "connections"} waiting
              </Badge>
            ) : (
              "none (the next try is let through by a grant)"
            ),
          ],
          ["Doing", approval.activity],
          [
            "Raised",
            <span key="raised" title={formatTime(approval.createdAt)}>
              {ago(approval.createdAt, now)} · <span className="font-mono text-xs">{approval.id}</span>
            </span>,
          ],
        ]}
      />
      <DecisionControls approval={approval} />
    </article>
  );
}

/** The requests waiting for an answer now, newest first, each with every way to answer it. */
export function WaitingCard() {
  const trpc = useTRPC();
  const now = useNow();
  const waiting = useQuery({
    ...trpc.approvals.list.queryOptions({ status: "pending", limit: 200 }),
    refetchInterval: (query) => (query.state.data?.length ? waitingPollMs : false),
  });
  return (
    <Card
      title="Waiting"
      action={waiting.data?.length ? <Badge tone="warn">{waiting.data.length} waiting</Badge> : undefined}
    >
      <QueryState
        query={waiting}
        errorTitle="Could not load the waiting requests"
        lines={3}
        empty={<p>Nothing waiting. Agents in ask mode raise requests here.</p>}
      >
        {(approvals) => (
          <div className="space-y-4">
            {approvals.map((approval) => (
              <WaitingRequest key={approval.id} approval={approval} now={now} />
            ))}
          </div>
        )}
      </QueryState>
    </Card>
  );
}
