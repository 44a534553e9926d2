"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { useTRPC } from "@/components/trpc";
import { dangerButtonClass, ErrorAlert, StatusMessage } from "@/components/ui";
import type { JobSettingsInput, JobSettingsView } from "../job-types";

/**
 * One `jobs.configure` call per form, so each form shows its own outcome. Every call repeats the
 * saved non-secret settings: the server reads a left-out one as its default (zod fills it in), so
 * setting a key alone would reset the base URL and turn the webhook off.
 */
export function useConfigure(settings: JobSettingsView) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [saved, setSaved] = useState<string | null>(null);
  const configure = useMutation(
    trpc.jobs.configure.mutationOptions({
      onMutate: () => setSaved(null),
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.jobs.settings.queryKey() }),
    }),
  );
  return {
    configure,
    saved,
    run(input: JobSettingsInput, message: string, after?: () => void) {
      const saved = {
        baseUrl: settings.baseUrl,
        sessionIdleHours: settings.sessionIdleHours,
        webhook: settings.webhook,
      };
      configure.mutate(
        { ...saved, ...input },
        {
          onSuccess: () => {
            setSaved(message);
            after?.();
          },
        },
      );
    },
  };
}

export type Configure = ReturnType<typeof useConfigure>;

/** Under a form: why the server refused it, or what was saved. */
export function ConfigureOutcome({ state }: { state: Configure }) {
  return (
    <>
      <ErrorAlert error={state.configure.error} />
      <StatusMessage tone="ok">{state.saved}</StatusMessage>
    </>
  );
}

/** Removes a saved setting (`input` sets it to null), and says so with `message`; off while the form saves. */
export function ClearButton({
  state,
  input,
  message,
  after,
  children,
}: {
  state: Configure;
  input: JobSettingsInput;
  message: string;
  after?: () => void;
  children: ReactNode;
}) {
  return (
    <button
      type="button"
      className={dangerButtonClass}
      disabled={state.configure.isPending}
      onClick={() => state.run(input, message, after)}
    >
      {children}
    </button>
  );
}
