"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/components/trpc";
import { ConfirmDialog, dangerButtonClass, ErrorAlert } from "@/components/ui";

/** Cancelling asks first; a running job's container is stopped (5 s, then killed), a waiting one just leaves the queue. */
export function useJobCancel(jobId: string) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const cancel = useMutation(
    trpc.jobs.cancel.mutationOptions({
      onSuccess: () => setConfirming(false),
      onSettled: async () => {
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.jobs.get.queryKey({ id: jobId }) }),
          queryClient.invalidateQueries({ queryKey: trpc.jobs.list.pathKey() }),
        ]);
      },
    }),
  );
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

export function CancelJobFeedback({ state, status }: { state: JobCancel; status: string }) {
  return (
    <>
      {state.confirming ? (
        <ConfirmDialog
          label={`Confirm cancelling ${state.jobId}`}
          confirmLabel={`Yes, cancel ${state.jobId}`}
          pendingLabel="Cancelling…"
          pending={state.cancel.isPending}
          onConfirm={state.confirm}
          cancelLabel="Keep it"
          onCancel={state.dismiss}
        >
          <p>
            {status === "running"
              ? "Claude Code is stopped (given 5 s, then killed); what it wrote to the workspace stays, and the session can be resumed."
              : "The job leaves the queue without running."}
          </p>
        </ConfirmDialog>
      ) : null}
      <ErrorAlert error={state.cancel.error} />
    </>
  );
}
