"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/components/trpc";
import { ConfirmDialog, dangerButtonClass, ErrorAlert } from "@/components/ui";
import { isLive } from "./job-types";
import type { RowCancel } from "./jobs-table";

/** The cancel mutation, which refreshes every view a cancelled job shows in. */
function useCancelMutation(onSuccess: () => void) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return useMutation(
    trpc.jobs.cancel.mutationOptions({
      onSuccess,
      onSettled: async (_data, _error, { id }) => {
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.jobs.get.queryKey({ id }) }),
          queryClient.invalidateQueries({ queryKey: trpc.jobs.list.pathKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.jobs.agentQuota.pathKey() }),
        ]);
      },
    }),
  );
}

/** Cancelling asks first; a running job's container is stopped (5 s, then killed), a waiting one just leaves the queue. */
export function useJobCancel(jobId: string) {
  const [confirming, setConfirming] = useState(false);
  const cancel = useCancelMutation(() => setConfirming(false));
  return {
    jobId,
    confirming,
    cancel,
    ask() {
      cancel.reset();
      setConfirming(true);
    },
    dismiss: () => setConfirming(false),
    confirm: () => cancel.mutate({ id: jobId }),
  };
}

export type JobCancel = ReturnType<typeof useJobCancel>;

/** The same for a table of jobs: one confirmation at a time, for the row whose Cancel was pressed. */
export function useRowCancel() {
  const [confirming, setConfirming] = useState<string | null>(null);
  const cancel = useCancelMutation(() => setConfirming(null));
  const row: RowCancel = {
    confirming,
    onAsk(jobId) {
      cancel.reset();
      setConfirming(jobId);
    },
  };
  return {
    row,
    confirming,
    cancel,
    dismiss: () => setConfirming(null),
    confirm: () => {
      if (confirming) cancel.mutate({ id: confirming });
    },
  };
}

export type RowCancelState = ReturnType<typeof useRowCancel>;

export function CancelJobButton({ state, stopping }: { state: JobCancel; stopping: boolean }) {
  const busy = state.cancel.isPending || stopping || state.cancel.data?.status === "cancelling";
  return (
    <button
      type="button"
      className={dangerButtonClass}
      disabled={busy}
      aria-expanded={state.confirming}
      onClick={state.ask}
    >
      {busy ? "Cancelling…" : "Cancel job"}
    </button>
  );
}

function ConfirmCancelJob({
  jobId,
  status,
  pending,
  onConfirm,
  onCancel,
}: {
  jobId: string;
  status: string;
  pending: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  return (
    <ConfirmDialog
      label={`Confirm cancelling ${jobId}`}
      confirmLabel={`Yes, cancel ${jobId}`}
      pendingLabel="Cancelling…"
      pending={pending}
      onConfirm={onConfirm}
      cancelLabel="Keep it"
      onCancel={onCancel}
    >
      <p>
        {status === "running"
          ? "Claude Code is stopped (given 5 s, then killed); what it wrote to the workspace stays, and the session can be resumed."
          : "The job leaves the queue without running."}
      </p>
    </ConfirmDialog>
  );
}

export function CancelJobFeedback({ state, status }: { state: JobCancel; status: string }) {
  return (
    <>
      {state.confirming ? (
        <ConfirmCancelJob
          jobId={state.jobId}
          status={status}
          pending={state.cancel.isPending}
          onConfirm={state.confirm}
          onCancel={state.dismiss}
        />
      ) : null}
      <ErrorAlert error={state.cancel.error} />
    </>
  );
}

/** Under a table of jobs: the confirmation for the row asked about (gone once that job ends), and why a cancel failed. */
export function RowCancelFeedback({
  state,
  jobs,
}: {
  state: RowCancelState;
  jobs: { id: string; status: string }[];
}) {
  const job = jobs.find((candidate) => candidate.id === state.confirming);
  return (
    <>
      {job && isLive(job.status) ? (
        <ConfirmCancelJob
          jobId={job.id}
          status={job.status}
          pending={state.cancel.isPending}
          onConfirm={state.confirm}
          onCancel={state.dismiss}
        />
      ) : null}
      <ErrorAlert error={state.cancel.error} />
    </>
  );
}
