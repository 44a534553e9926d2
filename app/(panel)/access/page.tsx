"use client";

import { useQuery } from "@tanstack/react-query";
import { useSearchParams } from "next/navigation";
import { Suspense, useState } from "react";
import { type CreatedPairing, statusPollMs } from "@/components/access/access-types";
import { BotCard } from "@/components/access/bot-card";
import { GrantsTable } from "@/components/access/grants-table";
import { PairCard } from "@/components/access/pair-card";
import { WaitingPairings } from "@/components/access/waiting-pairings";
import { PageHeader } from "@/components/page-header";
import { useTRPC } from "@/components/trpc";
import { Card, QueryState, Skeleton } from "@/components/ui";

function AccessView() {
  const trpc = useTRPC();
  const params = useSearchParams();
  const status = useQuery({ ...trpc.access.status.queryOptions(), refetchInterval: statusPollMs });
  // The link exists only here (the server keeps its hash): a reload loses it, the pairing stays listed.
  const [created, setCreated] = useState<CreatedPairing | null>(null);

  return (
    <QueryState query={status} errorTitle="Could not load the access settings" lines={6}>
      {(data) => (
        <>
          <div className="grid items-start gap-6 lg:grid-cols-2">
            <BotCard status={data.telegram} />
            <PairCard
              status={data}
              requestedAgent={params.get("agent")}
              created={created}
              onCreated={setCreated}
            />
          </div>
          <WaitingPairings exceptId={created?.id} />
          <Card title="Who has access">
            <GrantsTable />
          </Card>
        </>
      )}
    </QueryState>
  );
}

export default function AccessPage() {
  return (
    <div className="space-y-6">
      <PageHeader
        title="Access"
        description="Who can reach the agents from Telegram, and in which role. Each person is paired with a one-time link, and gets in only after you confirm the code they see; everything is recorded in the audit log."
      />
      <Suspense fallback={<Skeleton lines={6} />}>
        <AccessView />
      </Suspense>
    </div>
  );
}
