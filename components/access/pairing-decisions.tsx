"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import {
  buttonClass,
  dangerButtonClass,
  ErrorAlert,
  primaryButtonClass,
  smallButtonClass,
  smallDangerButtonClass,
  smallPrimaryButtonClass,
} from "@/components/ui";
import type { Pairing } from "./access-types";

/** What deciding on a pairing needs of it. */
export type Decidable = Pick<Pairing, "id" | "status" | "code" | "subjectId" | "subjectName">;

/** Confirm, reject or cancel pairings; afterwards the pairings and grants are read again. */
export function usePairingDecisions() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.access.pairings.pathKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.access.pairing.pathKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.access.grants.pathKey() }),
    ]);
  const confirm = useMutation(trpc.access.confirm.mutationOptions({ onSettled: refresh }));
  const reject = useMutation(trpc.access.reject.mutationOptions({ onSettled: refresh }));
  const clear = () => {
    confirm.reset();
    reject.reset();
  };
  return {
    error: confirm.error ?? reject.error,
    busyWith: confirm.isPending ? confirm.variables?.id : reject.isPending ? reject.variables?.id : undefined,
    /** The code goes along: the server confirms only if it is still the one shown here. */
    confirm(pairing: Decidable) {
      clear();
      confirm.mutate({ id: pairing.id, code: pairing.code ?? undefined });
    },
    reject(pairing: Decidable) {
      clear();
      reject.mutate({ id: pairing.id });
    },
  };
}
export type PairingDecisions = ReturnType<typeof usePairingDecisions>;

/** Confirm and Reject once someone opened the link; Cancel before. */
export function DecisionButtons({
  pairing,
  decisions,
  small = false,
}: {
  pairing: Decidable;
  decisions: PairingDecisions;
  small?: boolean;
}) {
  const busy = decisions.busyWith === pairing.id;
  const who = pairing.subjectName ?? pairing.subjectId ?? "";
  const labelled = (action: string) =>
    small ? `${action} ${pairing.id}${who ? ` (${who})` : ""}` : undefined;
  if (pairing.status === "pending")
    return (
      <button
        type="button"
        className={small ? smallButtonClass : buttonClass}
        disabled={busy}
        aria-label={labelled("Cancel")}
        onClick={() => decisions.reject(pairing)}
      >
        {busy ? "Cancelling…" : small ? "Cancel" : "Cancel link"}
      </button>
    );
  if (pairing.status !== "claimed") return null;
  return (
    <span className="inline-flex flex-wrap gap-2">
      <button
        type="button"
        className={small ? smallPrimaryButtonClass : primaryButtonClass}
        disabled={busy}
        aria-label={labelled("Confirm")}
        onClick={() => decisions.confirm(pairing)}
      >
        Confirm
      </button>
      <button
        type="button"
        className={small ? smallDangerButtonClass : dangerButtonClass}
        disabled={busy}
        aria-label={labelled("Reject")}
        onClick={() => decisions.reject(pairing)}
      >
        Reject
      </button>
    </span>
  );
}

export function DecisionError({ decisions }: { decisions: PairingDecisions }) {
  return <ErrorAlert error={decisions.error} title="The pairing was not changed" />;
}
