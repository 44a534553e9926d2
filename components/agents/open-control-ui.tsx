"use client";

import { useMutation } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc";
import { ErrorAlert, primaryButtonClass } from "@/components/ui";
import type { AgentLive } from "./agent-types";

/**
 * The Gateway's Control UI lives on a loopback port of its own (its own origin). The host name is
 * the one this page was loaded from, so the browser sends the panel session cookie along; the
 * token goes in the fragment, which never leaves the browser.
 */
export function useOpenControlUi() {
  const trpc = useTRPC();
  return useMutation(
    trpc.agents.gateway.mutationOptions({
      onSuccess: ({ port, path, token }) => {
        const url = `${window.location.protocol}//${window.location.hostname}:${port}${path}#token=${encodeURIComponent(token)}`;
        window.open(url, "_blank", "noopener");
      },
    }),
  );
}

export function OpenControlUiButton({
  gateway,
  name,
  live,
}: {
  gateway: ReturnType<typeof useOpenControlUi>;
  name: string;
  live: AgentLive | null;
}) {
  if (live?.state !== "running" || !live.ready) return null;
  return (
    <button
      type="button"
      className={primaryButtonClass}
      disabled={gateway.isPending}
      onClick={() => gateway.mutate({ name })}
    >
      {gateway.isPending ? "Opening…" : "Open Control UI"}
    </button>
  );
}

export function OpenControlUiError({ gateway }: { gateway: ReturnType<typeof useOpenControlUi> }) {
  return <ErrorAlert error={gateway.error} title="The Control UI could not be opened" />;
}
