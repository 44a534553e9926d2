"use client";

import { useMutation } from "@tanstack/react-query";
import { useId } from "react";
import { useTRPC } from "@/components/trpc";
import { ErrorAlert, primaryButtonClass } from "@/components/ui";
import type { AgentLive, AgentModel } from "./agent-types";
import { modelReady, NoModelNote } from "./status-badge";

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

/**
 * Opens the Control UI of a ready agent. Without a usable model it still opens (the Gateway and its
 * settings work), with the reason its chats will fail beside it.
 */
export function OpenControlUiButton({
  gateway,
  name,
  live,
  model,
}: {
  gateway: ReturnType<typeof useOpenControlUi>;
  name: string;
  live: AgentLive | null;
  model?: AgentModel | null;
}) {
  const noteId = useId();
  if (live?.state !== "running" || !live.ready) return null;
  const noModel = !modelReady(model);
  return (
    <span className="inline-flex flex-wrap items-center gap-2">
      {noModel ? (
        <span className="max-w-xs" data-model-warning>
          <NoModelNote model={model} id={noteId} />
        </span>
      ) : null}
      <button
        type="button"
        className={primaryButtonClass}
        disabled={gateway.isPending}
        aria-describedby={noModel ? noteId : undefined}
        onClick={() => gateway.mutate({ name })}
      >
        {gateway.isPending ? "Opening…" : "Open Control UI"}
      </button>
    </span>
  );
}

export function OpenControlUiError({ gateway }: { gateway: ReturnType<typeof useOpenControlUi> }) {
  return <ErrorAlert error={gateway.error} title="The Control UI could not be opened" />;
}
