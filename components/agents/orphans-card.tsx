"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { Card, DataTable, ErrorAlert, smallDangerButtonClass } from "@/components/ui";
import type { AgentList } from "./agent-types";

/** Containers labelled for this panel whose agent no longer exists (deleted by hand, or a crash mid-delete). */
export function OrphansCard({ orphans }: { orphans: AgentList["orphans"] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const refresh = useMutation(trpc.agents.refresh.mutationOptions());
  const remove = useMutation(
    trpc.agents.removeOrphan.mutationOptions({
      onSettled: async () => {
        await refresh.mutateAsync().catch(() => {});
        await queryClient.invalidateQueries({ queryKey: trpc.agents.list.queryKey() });
      },
    }),
  );
  if (orphans.length === 0) return null;
  return (
    <Card title="Orphan containers">
      <p className="mb-3 text-sm text-zinc-600 dark:text-zinc-400">
        Containers this panel made for agents that no longer exist. Removing one deletes the container only;
        the agent&apos;s files are already gone or in the trash.
      </p>
      <DataTable label="Orphan containers" columns={["Container", "ID", "Was agent", "State"]} actions>
        {orphans.map((orphan) => {
          const removing = remove.isPending && remove.variables?.id === orphan.id;
          return (
            <tr key={orphan.id}>
              <td className="py-2 pr-3 font-mono text-xs">{orphan.name.replace(/^\//, "")}</td>
              <td className="py-2 pr-3 font-mono text-xs" title={orphan.id}>
                {orphan.id.slice(0, 12)}
              </td>
              <td className="py-2 pr-3">{orphan.agent || "—"}</td>
              <td className="py-2 pr-3">{orphan.state}</td>
              <td className="py-2 text-right">
                <button
                  type="button"
                  className={smallDangerButtonClass}
                  disabled={remove.isPending}
                  aria-label={`Remove orphan container ${orphan.name.replace(/^\//, "")}`}
                  onClick={() => remove.mutate({ id: orphan.id })}
                >
                  {removing ? "Removing…" : "Remove"}
                </button>
              </td>
            </tr>
          );
        })}
      </DataTable>
      <div className="mt-3">
        <ErrorAlert error={remove.error} />
      </div>
    </Card>
  );
}
