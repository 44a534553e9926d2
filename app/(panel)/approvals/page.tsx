"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { Suspense, useMemo } from "react";
import { type HistoryFilter, historyFilterOf } from "@/components/approvals/approval-types";
import { GrantsCard } from "@/components/approvals/grants-card";
import { HistoryCard } from "@/components/approvals/history-card";
import { WaitingCard } from "@/components/approvals/waiting-card";
import { PageHeader } from "@/components/page-header";
import { Skeleton } from "@/components/ui";

function ApprovalsView() {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const filter = useMemo(() => historyFilterOf(new URLSearchParams(params.toString())), [params]);
  const setFilter = (next: HistoryFilter) => {
    const query = new URLSearchParams(
      Object.entries(next).filter((entry): entry is [string, string] => typeof entry[1] === "string"),
    );
    router.replace(query.size > 0 ? `${pathname}?${query}` : pathname, { scroll: false });
  };
  return (
    <>
      <WaitingCard />
      <GrantsCard />
      <HistoryCard filter={filter} onFilterChange={setFilter} />
    </>
  );
}

export default function ApprovalsPage() {
  return (
    <div className="space-y-6">
      <PageHeader
        title="Approvals"
        description="Connections an agent or job in ask mode makes to a host off its allowlist wait here for your answer; the grants your answers leave, and every answer given."
      />
      <Suspense fallback={<Skeleton lines={6} />}>
        <ApprovalsView />
      </Suspense>
    </div>
  );
}
