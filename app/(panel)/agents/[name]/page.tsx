"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useParams, useRouter, useSearchParams } from "next/navigation";
import { Suspense, useEffect, useRef, useState } from "react";
import { AgentAccessTab } from "@/components/agents/agent-access-tab";
import { AgentActionButtons, AgentActionFeedback, useAgentActions } from "@/components/agents/agent-actions";
import { AgentEgressTab } from "@/components/agents/agent-egress-tab";
import { AgentJobsTab } from "@/components/agents/agent-jobs-tab";
import { AgentOverview } from "@/components/agents/agent-overview";
import { AgentPolicyTab } from "@/components/agents/agent-policy-tab";
import { Tabs } from "@/components/agents/agent-tabs";
import { type AgentLive, type AgentModel, livePollMs } from "@/components/agents/agent-types";
import { deletedHref } from "@/components/agents/agents-table";
import { LogsView } from "@/components/agents/logs-view";
import {
  OpenControlUiButton,
  OpenControlUiError,
  useOpenControlUi,
} from "@/components/agents/open-control-ui";
import { PodmanStaleBanner } from "@/components/agents/podman-stale-banner";
import { StatusBadge } from "@/components/agents/status-badge";
import { mib, since } from "@/components/format";
import { PageHeader } from "@/components/page-header";
import { NetworkBadge } from "@/components/policy/network-badge";
import { TerminalTab } from "@/components/terminal/terminal-tab";
import { useTRPC } from "@/components/trpc";
import { ErrorAlert, QueryState, Skeleton, useNow } from "@/components/ui";

const tabs = [
  { id: "overview", label: "Overview" },
  { id: "policy", label: "Policy" },
  { id: "logs", label: "Logs" },
  { id: "egress", label: "Egress" },
  { id: "access", label: "Access" },
  { id: "jobs", label: "Jobs" },
  { id: "terminal", label: "Terminal" },
] as const;
type TabId = (typeof tabs)[number]["id"];
const isTab = (value: string | null): value is TabId => tabs.some((tab) => tab.id === value);

function StatusLine({ live, model, now }: { live: AgentLive | null; model?: AgentModel; now: number }) {
  const running = live?.state === "running";
  const parts = [
    running && live?.startedAt ? `up ${since(live.startedAt, now)}` : null,
    running && live?.cpuPercent != null ? `CPU ${live.cpuPercent.toFixed(1)} %` : null,
    running && live?.memoryBytes != null ? `memory ${mib(live.memoryBytes)}` : null,
    running && !live?.ready ? "the Gateway is starting (10–20 s)" : null,
  ].filter(Boolean);
  return (
    <span className="inline-flex flex-wrap items-center gap-2">
      <StatusBadge live={live} model={model} />
      {parts.length ? <span className="text-zinc-600 dark:text-zinc-400">{parts.join(" · ")}</span> : null}
      {live?.note ? <span className="text-zinc-600 dark:text-zinc-400">{live.note}</span> : null}
    </span>
  );
}

function AgentDetail() {
  const { name } = useParams<{ name: string }>();
  const trpc = useTRPC();
  const router = useRouter();
  const params = useSearchParams();
  const queryClient = useQueryClient();
  const now = useNow();
  const list = useQuery({ ...trpc.agents.list.queryOptions(), refetchInterval: livePollMs });
  const agent = list.data?.agents.find((candidate) => candidate.name === name);
  const live = agent?.live ?? null;
  const podmanReachable = list.data?.podman.reachable ?? true;
  const inspect = useQuery(trpc.agents.inspect.queryOptions({ name }));
  const actions = useAgentActions(name, { onDeleted: (deleted) => router.push(deletedHref(deleted)) });
  const gateway = useOpenControlUi();

  // The container's facts change when its state does (a start, a stop, a crash): look again then.
  const liveKey = live ? `${live.state}:${live.containerId}:${live.ready}` : "";
  useEffect(() => {
    if (liveKey) void queryClient.invalidateQueries({ queryKey: trpc.agents.inspect.queryKey({ name }) });
  }, [liveKey, name, queryClient, trpc]);

  // Without ?tab=, an agent that has never run opens on its policy (there is nothing else to see
  // yet) and one that has on its overview; decided once, so starting it does not switch tabs.
  const initialTab = useRef<TabId | undefined>(undefined);
  if (!initialTab.current && list.data) initialTab.current = live?.containerId ? "overview" : "policy";
  const requested = params.get("tab");
  const tab: TabId | undefined = isTab(requested) ? requested : initialTab.current;
  const select = (id: TabId) => router.replace(`/agents/${name}?tab=${id}`, { scroll: false });
  // Once opened, the terminals stay mounted (hidden) while another tab is shown: they keep running.
  const [terminalsShown, setTerminalsShown] = useState(false);
  if (tab === "terminal" && !terminalsShown) setTerminalsShown(true);

  const missing = list.data && !agent && !actions.pending;

  return (
    <div className="space-y-6">
      <PageHeader
        title={name}
        parent={{ href: "/agents", label: "Agents" }}
        description={
          agent ? (
            <span className="mt-1 inline-flex flex-wrap items-center gap-2" aria-live="polite">
              <StatusLine live={live} model={agent.model} now={now} />
              <span>from {agent.template}</span>
              <NetworkBadge profile={agent.networkProfile} />
            </span>
          ) : null
        }
        actions={
          agent ? (
            <>
              <OpenControlUiButton gateway={gateway} name={name} live={live} model={agent.model} />
              <AgentActionButtons actions={actions} live={live} podmanReachable={podmanReachable} />
            </>
          ) : null
        }
      />

      {list.data ? <PodmanStaleBanner list={list.data} /> : null}
      <AgentActionFeedback actions={actions} live={live} />
      <OpenControlUiError gateway={gateway} />

      {missing ? (
        <p className="text-sm text-red-700 dark:text-red-400">
          There is no agent named {name}.{" "}
          <a href="/agents" className="underline">
            Back to the agents
          </a>
        </p>
      ) : tab ? (
        <Tabs label={`${name} details`} tabs={[...tabs]} selected={tab} onSelect={select}>
          {tab === "overview" ? (
            <QueryState query={inspect} errorTitle="Could not inspect the agent" lines={8}>
              {(data) => <AgentOverview inspect={data} live={live} now={now} model={agent?.model} />}
            </QueryState>
          ) : tab === "policy" ? (
            <AgentPolicyTab name={name} />
          ) : tab === "logs" ? (
            <LogsView name={name} live={live} />
          ) : tab === "egress" ? (
            <AgentEgressTab name={name} />
          ) : tab === "access" ? (
            <AgentAccessTab name={name} />
          ) : tab === "jobs" ? (
            <AgentJobsTab name={name} template={agent?.template} />
          ) : null}
          {terminalsShown ? (
            <div hidden={tab !== "terminal"}>
              <TerminalTab agent={name} live={live} />
            </div>
          ) : null}
        </Tabs>
      ) : list.error ? (
        <ErrorAlert error={list.error} title="Could not load the agent" />
      ) : (
        <Skeleton lines={6} />
      )}
    </div>
  );
}

export default function AgentPage() {
  return (
    <Suspense fallback={<Skeleton lines={6} />}>
      <AgentDetail />
    </Suspense>
  );
}
