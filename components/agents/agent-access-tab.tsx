"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { GrantsTable } from "@/components/access/grants-table";
import { useTRPC } from "@/components/trpc";
import { buttonClass, Card, linkClass } from "@/components/ui";

/** Who can reach this agent from Telegram; pairing happens on the Access page, with the agent chosen. */
export function AgentAccessTab({ name }: { name: string }) {
  const trpc = useTRPC();
  const status = useQuery(trpc.access.status.queryOptions());
  const pairHref = `/access?agent=${encodeURIComponent(name)}`;
  return (
    <Card
      title="Who has access"
      action={
        <Link href={pairHref} className={buttonClass}>
          Pair someone with {name}
        </Link>
      }
    >
      <div className="space-y-3">
        {status.data && !status.data.telegram.configured ? (
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            No Telegram bot is set up yet:{" "}
            <Link href="/access" className={linkClass}>
              set one up on the Access page
            </Link>
            .
          </p>
        ) : null}
        <GrantsTable agent={name} />
      </div>
    </Card>
  );
}
