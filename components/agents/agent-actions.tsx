"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { useTRPC } from "@/components/trpc";
import {
  buttonClass,
  ConfirmDialog,
  dangerButtonClass,
  ErrorAlert,
  smallButtonClass,
  smallDangerButtonClass,
} from "@/components/ui";
import { type AgentLive, actionsFor } from "./agent-types";

type Kind = "start" | "stop" | "restart" | "delete";

const verbs: Record<Kind, { label: string; pending: string }> = {
  start: { label: "Start", pending: "Starting…" },
  stop: { label: "Stop", pending: "Stopping…" },
  restart: { label: "Restart", pending: "Restarting…" },
  delete: { label: "Delete", pending: "Deleting…" },
};

export type DeletedAgent = { name: string; trash: string };

/**
 * Start, stop, restart and delete one agent. After each (success or not) the panel looks at
 * Podman again and the agent queries are refetched, so the status shown follows at once.
 */
export function useAgentActions(name: string, options: { onDeleted?: (deleted: DeletedAgent) => void } = {}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const refresh = useMutation(trpc.agents.refresh.mutationOptions());
  const settle = async () => {
    await refresh.mutateAsync().catch(() => {});
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.agents.list.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.agents.inspect.queryKey({ name }) }),
    ]);
  };
  const start = useMutation(trpc.agents.start.mutationOptions({ onSettled: settle }));
  const stop = useMutation(trpc.agents.stop.mutationOptions({ onSettled: settle }));
  const restart = useMutation(trpc.agents.restart.mutationOptions({ onSettled: settle }));
  const remove = useMutation(
    trpc.agents.delete.mutationOptions({
      onSuccess: async (deleted) => {
        setConfirmDelete(false);
        await queryClient.invalidateQueries({ queryKey: trpc.agents.list.queryKey() });
        options.onDeleted?.(deleted);
      },
    }),
  );
  const mutations = { start, stop, restart, delete: remove };
  const pending = (Object.keys(mutations) as Kind[]).find((kind) => mutations[kind].isPending);
  const error = start.error ?? stop.error ?? restart.error ?? remove.error;

  /** One message at a time: a new action clears what the last one said. */
  const clear = () => {
    for (const mutation of Object.values(mutations)) mutation.reset();
  };

  return {
    name,
    pending,
    error,
    confirmDelete,
    run(kind: Exclude<Kind, "delete">) {
      clear();
      setConfirmDelete(false);
      mutations[kind].mutate({ name });
    },
    askDelete() {
      clear();
      setConfirmDelete(true);
    },
    cancelDelete: () => setConfirmDelete(false),
    confirm(live: AgentLive | null) {
      remove.mutate({ name, force: live?.state === "running" || live?.state === "paused" });
    },
    clear,
  };
}

export type AgentActions = ReturnType<typeof useAgentActions>;

/** The buttons that make sense in the agent's state, named with the agent for screen readers. */
export function AgentActionButtons({
  actions,
  live,
  podmanReachable = true,
  size = "normal",
  nowrap = false,
}: {
  actions: AgentActions;
  live: AgentLive | null;
  podmanReachable?: boolean;
  size?: "normal" | "small";
  /** In a table row: keep the buttons on one line and the row short. */
  nowrap?: boolean;
}) {
  const allowed = actionsFor(live);
  const busy = actions.pending !== undefined;
  const base = size === "small" ? smallButtonClass : buttonClass;
  const noPodman = podmanReachable ? undefined : "Podman is not reachable";
  const button = (kind: Exclude<Kind, "delete">) => {
    const isPending = actions.pending === kind;
    return (
      <button
        key={kind}
        type="button"
        className={base}
        disabled={busy || !podmanReachable}
        title={noPodman}
        aria-label={`${isPending ? verbs[kind].pending.replace("…", "") : verbs[kind].label} ${actions.name}`}
        onClick={() => actions.run(kind)}
      >
        {isPending ? verbs[kind].pending : verbs[kind].label}
      </button>
    );
  };
  return (
    <div className={`flex items-center gap-1.5 ${nowrap ? "justify-end" : "flex-wrap"}`}>
      {allowed.start ? button("start") : null}
      {allowed.stop ? button("stop") : null}
      {allowed.restart ? button("restart") : null}
      <button
        type="button"
        className={size === "small" ? smallDangerButtonClass : dangerButtonClass}
        disabled={busy}
        aria-label={`${actions.pending === "delete" ? "Deleting" : "Delete"} ${actions.name}`}
        aria-expanded={actions.confirmDelete}
        onClick={actions.askDelete}
      >
        {actions.pending === "delete" ? verbs.delete.pending : verbs.delete.label}
      </button>
    </div>
  );
}

/** The delete confirmation and any refusal, shown under the agent's row or page header. */
export function AgentActionFeedback({ actions, live }: { actions: AgentActions; live: AgentLive | null }) {
  const running = live?.state === "running" || live?.state === "paused";
  return (
    <>
      {actions.confirmDelete ? (
        <ConfirmDialog
          label={`Confirm deleting ${actions.name}`}
          confirmLabel={running ? `Stop and delete ${actions.name}` : `Yes, delete ${actions.name}`}
          pendingLabel="Deleting…"
          pending={actions.pending === "delete"}
          onConfirm={() => actions.confirm(live)}
          onCancel={actions.cancelDelete}
        >
          <p>
            {running ? (
              <>
                <strong>{actions.name} is running.</strong> Deleting stops it at once and removes its
                container.{" "}
              </>
            ) : null}
            The agent&apos;s directory (workspace, state, policy and lock) is moved to the trash in CLAW_HOME,
            not erased; the deletion is recorded in the audit log.
          </p>
        </ConfirmDialog>
      ) : null}
      <ErrorAlert error={actions.error} />
      {actions.error?.data?.code === "PRECONDITION_FAILED" ? (
        <p className="text-sm">
          <Link
            href={`/agents/${actions.name}?tab=policy`}
            className="font-medium text-emerald-700 hover:underline dark:text-emerald-400"
          >
            Review {actions.name}&apos;s policy →
          </Link>
        </p>
      ) : null}
    </>
  );
}
