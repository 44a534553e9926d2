"use client";

import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { Suspense, useMemo, useState } from "react";
import { AuditEventDetail } from "@/components/audit/audit-event-detail";
import { AuditFilters } from "@/components/audit/audit-filters";
import { AuditTable } from "@/components/audit/audit-table";
import { type AuditFilter, filterFromParams } from "@/components/audit/audit-types";
import { AuditVerifyReport } from "@/components/audit/audit-verify";
import { useAuditLive } from "@/components/audit/use-audit-live";
import { PageHeader } from "@/components/page-header";
import { useTRPC } from "@/components/trpc";
import { Badge, buttonClass, Card, ErrorAlert, QueryState, Skeleton } from "@/components/ui";

function AuditView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const filter = useMemo(() => filterFromParams(new URLSearchParams(params.toString())), [params]);
  const [live, setLive] = useState(true);
  const [openId, setOpenId] = useState<number | undefined>();

  const setFilter = (next: AuditFilter) => {
    const query = new URLSearchParams(
      Object.entries(next).filter(
        (entry): entry is [string, string] => typeof entry[1] === "string" && entry[1] !== "",
      ),
    );
    router.replace(query.size > 0 ? `${pathname}?${query}` : pathname);
  };

  const summary = useQuery({ ...trpc.audit.summary.queryOptions(), refetchInterval: 10_000 });
  const pages = useInfiniteQuery(
    trpc.audit.list.infiniteQueryOptions(
      { filter, limit: 50 },
      { getNextPageParam: (page) => page.nextBefore ?? undefined },
    ),
  );
  const liveFeed = useAuditLive(filter, live);
  const verify = useMutation(
    trpc.audit.verify.mutationOptions({
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.audit.summary.queryKey() }),
    }),
  );

  const loaded = pages.data?.pages.flatMap((page) => page.events) ?? [];
  const newest = loaded[0]?.id ?? 0;
  const fresh = liveFeed.events.filter((event) => event.id > newest);
  const events = [...fresh, ...loaded];
  const liveIds = new Set(fresh.map((event) => event.id));

  const exportQuery = new URLSearchParams();
  if (filter.from) exportQuery.set("since", filter.from);
  if (filter.agent) exportQuery.set("agent", filter.agent);

  return (
    <div className="space-y-6">
      <PageHeader
        title="Audit log"
        description={
          <>
            Every event, hash-chained and covered by checkpoints signed with this host&apos;s key.
            {summary.data ? (
              <>
                {" "}
                {summary.data.events.toLocaleString()} events
                {summary.data.lastCheckpoint
                  ? `, last checkpoint at ${summary.data.lastCheckpoint.treeSize.toLocaleString()}`
                  : ", no checkpoint yet"}
                {" · key "}
                <code className="font-mono text-xs" title={summary.data.keyId}>
                  {summary.data.keyId.slice(0, 16)}…
                </code>
              </>
            ) : null}
          </>
        }
        actions={
          <div className="flex flex-wrap items-center gap-2">
            <button type="button" className={buttonClass} aria-pressed={live} onClick={() => setLive(!live)}>
              {live ? (liveFeed.state === "live" ? "● Live" : "Connecting…") : "Live off"}
            </button>
            <a className={buttonClass} href={`/api/audit/export?${exportQuery}`} download>
              Export JSONL
            </a>
            <button
              type="button"
              className={buttonClass}
              onClick={() => verify.mutate()}
              disabled={verify.isPending}
            >
              {verify.isPending ? "Verifying…" : "Verify"}
            </button>
          </div>
        }
      />

      {verify.data ? <AuditVerifyReport result={verify.data} /> : null}
      <ErrorAlert error={verify.error} title="Verify could not run" />

      <Card title="Filters">
        <AuditFilters filter={filter} onChange={setFilter} />
      </Card>

      <Card
        title="Events"
        action={
          liveFeed.state === "closed" && live ? (
            <Badge tone="warn">live tail disconnected; reload</Badge>
          ) : undefined
        }
      >
        <QueryState
          query={{ data: pages.data && events, error: pages.error }}
          errorTitle="Could not load events"
          lines={8}
          empty={
            <p className="py-6 text-center">
              {Object.values(filter).some(Boolean) ? "No events match these filters." : "No events yet."}
            </p>
          }
        >
          {(events) => (
            <>
              <AuditTable events={events} liveIds={liveIds} onOpen={(event) => setOpenId(event.id)} />
              <div className="mt-4 flex justify-center">
                {pages.hasNextPage ? (
                  <button
                    type="button"
                    className={buttonClass}
                    onClick={() => pages.fetchNextPage()}
                    disabled={pages.isFetchingNextPage}
                  >
                    {pages.isFetchingNextPage ? "Loading…" : "Load older events"}
                  </button>
                ) : (
                  <span className="text-xs text-zinc-500">The beginning of the log.</span>
                )}
              </div>
            </>
          )}
        </QueryState>
      </Card>

      {openId !== undefined ? (
        <AuditEventDetail key={openId} id={openId} onClose={() => setOpenId(undefined)} />
      ) : null}
    </div>
  );
}

export default function AuditPage() {
  return (
    <Suspense fallback={<Skeleton lines={8} />}>
      <AuditView />
    </Suspense>
  );
}
