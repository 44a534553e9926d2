"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { buttonClass, dangerButtonClass } from "@/components/agents/agent-types";
import { ErrorAlert } from "@/components/agents/error-alert";
import { useTRPC } from "@/components/trpc";
import { readableError } from "./job-types";

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
        <div
          role="alertdialog"
          aria-label={`Confirm cancelling ${state.jobId}`}
          className="rounded-md border border-amber-300 bg-amber-50 p-4 text-sm dark:border-amber-800 dark:bg-amber-950/40"
        >
          <p>
            {status === "running"
              ? "Claude Code is stopped (given 5 s, then killed); what it wrote to the workspace stays, and the session can be resumed."
              : "The job leaves the queue without running."}
          </p>
          <div className="mt-3 flex gap-2">
            <button
              type="button"
              className={dangerButtonClass}
              disabled={state.cancel.isPending}
              onClick={state.confirm}
            >
              {state.cancel.isPending ? "Cancelling…" : `Yes, cancel ${state.jobId}`}
            </button>
            <button type="button" className={buttonClass} onClick={state.dismiss}>
              Keep it
            </button>
          </div>
        </div>
      ) : null}
      <ErrorAlert error={readableError(state.cancel.error)} />
    </>
  );
}
