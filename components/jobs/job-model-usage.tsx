"use client";

import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { compactCount } from "@/components/agents/model-usage";
import { useTRPC } from "@/components/trpc";
import { Badge, Facts, QueryState } from "@/components/ui";

/** The job's model requests as the panel's model gateway metered them (the key never left the panel). */
export function JobModelUsage({ id, live }: { id: string; live: boolean }) {
  const trpc = useTRPC();
  const usage = useQuery({
    ...trpc.jobs.modelUsage.queryOptions({ id }),
    refetchInterval: live ? 3000 : false,
  });
  return (
    <QueryState query={usage} errorTitle="Could not load the model use" isEmpty={() => false}>
      {(data) =>
        data.requests === 0 ? (
          <p className="text-sm text-zinc-500 dark:text-zinc-400">
            No model requests through the panel&apos;s gateway{live ? " yet" : ""}.
          </p>
        ) : (
          <Facts
            rows={[
              ["Requests", String(data.requests)],
              ["Tokens in", compactCount(data.inputTokens)],
              ["Tokens out", compactCount(data.outputTokens)],
              ["Model", data.lastModel],
              ...(data.errors > 0
                ? [
                    [
                      "Refused or failed",
                      <Badge key="e" tone="fail">
                        {data.errors}
                      </Badge>,
                    ] as [string, ReactNode],
                  ]
                : []),
            ]}
          />
        )
      }
    </QueryState>
  );
}
