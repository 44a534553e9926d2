"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";

/** Answers a request (`approvals.decide`); every approvals view asks again once it is answered. */
export function useDecide(options: { onSuccess?: () => void } = {}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return useMutation(
    trpc.approvals.decide.mutationOptions({
      onSuccess: () => options.onSuccess?.(),
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.approvals.pathKey() }),
    }),
  );
}

/** Ends a grant early (`approvals.revoke`). */
export function useRevoke() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return useMutation(
    trpc.approvals.revoke.mutationOptions({
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.approvals.pathKey() }),
    }),
  );
}
