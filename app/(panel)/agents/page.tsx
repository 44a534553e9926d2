"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter, useSearchParams } from "next/navigation";
import { type FormEvent, Suspense, useDeferredValue, useState } from "react";
import { livePollMs } from "@/components/agents/agent-types";
import { AgentsTable } from "@/components/agents/agents-table";
import { OrphansCard } from "@/components/agents/orphans-card";
import { PodmanStaleBanner } from "@/components/agents/podman-stale-banner";
import { PageHeader } from "@/components/page-header";
import { ExplanationView } from "@/components/policy/explanation-view";
import { useTRPC } from "@/components/trpc";
import { Card, ErrorAlert, fieldClass, QueryState, Skeleton } from "@/components/ui";

const namePattern = /^[a-z]([a-z0-9-]*[a-z0-9])?$/;

function CreateAgentForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const params = useSearchParams();
  const templates = useQuery(trpc.templates.list.queryOptions());
  const usable = templates.data?.filter((t) => t.problems.length === 0) ?? [];
  const [template, setTemplate] = useState(params.get("template") ?? "coder");
  const [name, setName] = useState("");
  const nameOk = name === "" || (namePattern.test(name) && name.length <= 40);
  const deferredName = useDeferredValue(nameOk ? name : "");
  const preview = useQuery(trpc.templates.preview.queryOptions({ template, agent: deferredName }));
  const create = useMutation(
    trpc.agents.create.mutationOptions({
      onSuccess: async (agent) => {
        await queryClient.invalidateQueries({ queryKey: trpc.agents.list.queryKey() });
        router.push(`/agents/${agent.name}`);
      },
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (name && nameOk) create.mutate({ name, template });
  };

  return (
    <div className="grid gap-6 lg:grid-cols-[minmax(0,22rem)_1fr]">
      <form onSubmit={submit} className="space-y-4" aria-label="New agent">
        <label className="block text-sm font-medium">
          Template
          <select
            value={template}
            onChange={(e) => setTemplate(e.target.value)}
            className={`mt-1 ${fieldClass}`}
          >
            {usable.map((t) => (
              <option key={t.name} value={t.name}>
                {t.name} ({t.network})
              </option>
            ))}
          </select>
        </label>
        <label className="block text-sm font-medium">
          Name
          <input
            value={name}
            onChange={(e) => setName(e.target.value.trim())}
            placeholder="my-coder"
            autoComplete="off"
            spellCheck={false}
            aria-invalid={!nameOk}
            aria-describedby="name-help"
            className={`mt-1 font-mono ${fieldClass} aria-invalid:border-red-500`}
          />
          <span
            id="name-help"
            className={`mt-1 block text-xs ${nameOk ? "text-zinc-500" : "text-red-700 dark:text-red-400"}`}
          >
            Lowercase letters, digits and “-”, starting with a letter; up to 40.
          </span>
        </label>
        <button
          type="submit"
          disabled={!name || !nameOk || create.isPending}
          className="w-full rounded-md bg-emerald-600 px-3 py-2 text-sm font-medium text-white hover:bg-emerald-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-emerald-600 disabled:opacity-50"
        >
          {create.isPending ? "Compiling and signing…" : "Create agent"}
        </button>
        <ErrorAlert error={create.error} />
        <p className="text-xs text-zinc-500">
          Creating compiles the template into openclaw.json and a container spec and signs both in a policy
          lock.
        </p>
      </form>
      <div aria-live="polite">
        <h3 className="mb-2 text-sm font-semibold">Live preview</h3>
        <QueryState query={preview} lines={8}>
          {(data) => <ExplanationView explanation={data.explanation} />}
        </QueryState>
      </div>
    </div>
  );
}

/** Where a deleted agent's files went (the URL carries it, so the detail page can send you here). */
function DeletedNotice() {
  const params = useSearchParams();
  const router = useRouter();
  const deleted = params.get("deleted");
  if (!deleted) return null;
  return (
    <div
      role="status"
      className="flex flex-wrap items-start justify-between gap-3 rounded-md border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm dark:border-emerald-900 dark:bg-emerald-950/40"
    >
      <p>
        Deleted <strong>{deleted}</strong>.{" "}
        {params.get("trash") ? (
          <>
            Its files were moved to <code className="break-all font-mono text-xs">{params.get("trash")}</code>
            .
          </>
        ) : null}
      </p>
      <button
        type="button"
        className="text-xs text-zinc-600 hover:underline dark:text-zinc-400"
        onClick={() => router.replace("/agents", { scroll: false })}
      >
        Dismiss
      </button>
    </div>
  );
}

function AgentsList() {
  const trpc = useTRPC();
  const list = useQuery({ ...trpc.agents.list.queryOptions(), refetchInterval: livePollMs });
  const data = list.data;
  return (
    <div className="space-y-6">
      {data ? <PodmanStaleBanner list={data} /> : null}
      <Card title="Agents">
        <QueryState
          // A failed poll keeps the last list on screen (the banner says when Podman is away).
          query={{ data, error: data ? null : list.error }}
          errorTitle="Could not load agents"
          lines={3}
          isEmpty={({ agents }) => agents.length === 0}
          empty={<p className="text-sm text-zinc-500">No agents yet. Create your first one below.</p>}
        >
          {({ agents, podman }) => <AgentsTable agents={agents} podmanReachable={podman.reachable} />}
        </QueryState>
      </Card>
      {data ? <OrphansCard orphans={data.orphans} /> : null}
    </div>
  );
}

export default function AgentsPage() {
  return (
    <div className="space-y-6">
      <PageHeader
        title="Agents"
        description={
          <>Each agent&apos;s permissions are compiled from a template and sealed in a signed lock.</>
        }
      />
      <Suspense fallback={null}>
        <DeletedNotice />
      </Suspense>
      <AgentsList />
      <Card title="New agent">
        <Suspense fallback={<Skeleton />}>
          <CreateAgentForm />
        </Suspense>
      </Card>
    </div>
  );
}
