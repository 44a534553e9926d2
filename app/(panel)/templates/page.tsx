"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { PageHeader } from "@/components/page-header";
import { NetworkBadge } from "@/components/policy/network-badge";
import { useTRPC } from "@/components/trpc";
import { Badge, Card, QueryState, Skeleton } from "@/components/ui";

export default function TemplatesPage() {
  const trpc = useTRPC();
  const templates = useQuery(trpc.templates.list.queryOptions());
  return (
    <div className="space-y-6">
      <PageHeader
        title="Templates"
        description={
          <>
            What an agent may do, in two layers: OpenClaw&apos;s tools and the container around it. Your own
            templates go in <code className="font-mono">CLAW_HOME/templates/NAME.yaml</code> and replace a
            built-in of the same name.
          </>
        }
      />
      <QueryState
        query={templates}
        errorTitle="Could not load templates"
        loading={
          <Card title="Templates">
            <Skeleton />
          </Card>
        }
      >
        {(data) => (
          <ul className="grid gap-4 md:grid-cols-2" aria-label="Templates">
            {data.map((template) => (
              <li key={template.name}>
                <Link
                  href={`/templates/${template.name}`}
                  className="block h-full rounded-lg border border-zinc-200 bg-white p-5 shadow-sm hover:border-emerald-500 focus-visible:outline-2 focus-visible:outline-emerald-600 dark:border-zinc-800 dark:bg-zinc-900"
                >
                  <div className="flex flex-wrap items-center gap-2">
                    <span className="font-semibold">{template.name}</span>
                    <NetworkBadge profile={template.network} />
                    <Badge tone="neutral">
                      {template.source.kind === "builtin"
                        ? "built-in"
                        : template.overrides
                          ? "yours (overrides built-in)"
                          : "yours"}
                    </Badge>
                    {template.problems.length > 0 ? (
                      <Badge tone="fail">{template.problems.length} problem(s)</Badge>
                    ) : null}
                  </div>
                  <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">
                    {template.description ?? template.problems[0]?.message}
                  </p>
                </Link>
              </li>
            ))}
          </ul>
        )}
      </QueryState>
    </div>
  );
}
