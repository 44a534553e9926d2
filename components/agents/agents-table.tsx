"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { mib, since } from "@/components/format";
import { NetworkBadge } from "@/components/policy/network-badge";
import { cellClass, DataTable, useNow } from "@/components/ui";
import { AgentActionButtons, AgentActionFeedback, type DeletedAgent, useAgentActions } from "./agent-actions";
import { type AgentListItem, shortImage } from "./agent-types";
import { StatusBadge } from "./status-badge";

/** Where a deleted agent's files went is shown on the list, whichever page deleted it. */
export function deletedHref(deleted: DeletedAgent): string {
  return `/agents?${new URLSearchParams({ deleted: deleted.name, trash: deleted.trash })}`;
}

function AgentRow({
  agent,
  podmanReachable,
  now,
}: {
  agent: AgentListItem;
  podmanReachable: boolean;
  now: number;
}) {
  const router = useRouter();
  const actions = useAgentActions(agent.name, {
    onDeleted: (deleted) => router.replace(deletedHref(deleted), { scroll: false }),
  });
  const live = agent.live;
  const running = live?.state === "running";
  const showFeedback = actions.confirmDelete || actions.error;
  return (
    <>
      <tr data-agent={agent.name} className="hover:bg-zinc-50 dark:hover:bg-zinc-800/40">
        <td className={cellClass}>
          <Link
            href={`/agents/${agent.name}`}
            className="font-medium text-emerald-700 hover:underline focus-visible:outline-2 focus-visible:outline-emerald-600 dark:text-emerald-400"
          >
            {agent.name}
          </Link>
          <span className="block text-xs text-zinc-500 dark:text-zinc-400">from {agent.template}</span>
        </td>
        <td className={`${cellClass} max-w-56`}>
          <StatusBadge live={live} model={agent.model} showNote />
        </td>
        <td className={`${cellClass} whitespace-nowrap`}>
          <NetworkBadge profile={agent.networkProfile} />
        </td>
        <td
          className={`${cellClass} whitespace-nowrap font-mono text-xs`}
          title={`${agent.imageRef} @ ${agent.imageDigest}`}
        >
          {shortImage(agent.imageRef)}
        </td>
        <td className={`${cellClass} whitespace-nowrap text-xs`}>
          <Link
            href={`/agents/${agent.name}?tab=policy`}
            title={`Lock ${agent.lockDigest}`}
            className="text-zinc-600 hover:underline dark:text-zinc-400"
          >
            signed {new Date(agent.lockedAt).toLocaleDateString()}
          </Link>
        </td>
        <td className={`${cellClass} whitespace-nowrap tabular-nums`}>
          {running && live?.startedAt ? since(live.startedAt, now) : "—"}
        </td>
        <td className={`${cellClass} whitespace-nowrap text-right tabular-nums`}>
          {running && live?.cpuPercent != null ? `${live.cpuPercent.toFixed(1)} %` : "—"}
        </td>
        <td className={`${cellClass} whitespace-nowrap text-right tabular-nums`}>
          {running && live?.memoryBytes != null ? mib(live.memoryBytes) : "—"}
        </td>
        <td className={`${cellClass} pr-0`}>
          <AgentActionButtons
            nowrap
            actions={actions}
            live={live}
            podmanReachable={podmanReachable}
            size="small"
          />
        </td>
      </tr>
      {showFeedback ? (
        <tr>
          <td colSpan={9} className="pb-3">
            <AgentActionFeedback actions={actions} live={live} />
          </td>
        </tr>
      ) : null}
    </>
  );
}

export function AgentsTable({
  agents,
  podmanReachable,
}: {
  agents: AgentListItem[];
  podmanReachable: boolean;
}) {
  const now = useNow();
  return (
    <DataTable
      label="Agents"
      columns={[
        "Name",
        "Status",
        "Network",
        "Image",
        "Lock",
        "Uptime",
        { label: "CPU", align: "right" },
        { label: "Memory", align: "right" },
      ]}
      actions
    >
      {agents.map((agent) => (
        <AgentRow key={agent.name} agent={agent} podmanReachable={podmanReachable} now={now} />
      ))}
    </DataTable>
  );
}
