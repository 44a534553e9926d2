"use client";

import { useQuery } from "@tanstack/react-query";
import { PageHeader } from "@/components/page-header";
import { useTRPC } from "@/components/trpc";
import { Badge, Card, Fix, QueryState, type Tone } from "@/components/ui";

const toneOf: Record<"ok" | "warn" | "fail", Tone> = { ok: "ok", warn: "warn", fail: "fail" };

export default function DoctorPage() {
  const trpc = useTRPC();
  const checks = useQuery({ ...trpc.doctor.run.queryOptions(), staleTime: 0 });
  const failing = checks.data?.filter((check) => check.status === "fail").length ?? 0;
  const warning = checks.data?.filter((check) => check.status === "warn").length ?? 0;

  return (
    <div className="space-y-6">
      <PageHeader
        title="Doctor"
        description={
          <>
            Checks of this host. Each one that fails says how to fix it. Same as <code>npx claw doctor</code>.
          </>
        }
        actions={
          <button
            type="button"
            onClick={() => checks.refetch()}
            disabled={checks.isFetching}
            className="rounded-md bg-zinc-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-zinc-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-emerald-600 disabled:opacity-60 dark:bg-zinc-100 dark:text-zinc-900 dark:hover:bg-zinc-300"
          >
            {checks.isFetching ? "Checking…" : "Run again"}
          </button>
        }
      />
      <Card
        title="Checks"
        action={
          checks.data && !checks.error ? (
            <Badge tone={failing ? "fail" : warning ? "warn" : "ok"}>
              {failing ? `${failing} failing` : warning ? `${warning} to look at` : "all good"}
            </Badge>
          ) : null
        }
      >
        <QueryState query={checks} errorTitle="The checks could not run" lines={8}>
          {(data) => (
            <ul className="divide-y divide-zinc-200 dark:divide-zinc-800" aria-label="Doctor checks">
              {data.map((check) => (
                <li key={check.id} className="py-3" data-check={check.id} data-status={check.status}>
                  <div className="flex items-start justify-between gap-4">
                    <div className="min-w-0">
                      <p className="font-medium">{check.title}</p>
                      <p className="mt-0.5 break-words text-sm text-zinc-600 dark:text-zinc-400">
                        {check.detail}
                      </p>
                      {check.fix ? <Fix command={check.fix} /> : null}
                    </div>
                    <Badge tone={toneOf[check.status]}>{check.status}</Badge>
                  </div>
                </li>
              ))}
            </ul>
          )}
        </QueryState>
      </Card>
    </div>
  );
}
