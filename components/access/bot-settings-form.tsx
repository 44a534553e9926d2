"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import { useTRPC } from "@/components/trpc";
import {
  ConfirmDialog,
  type ConfirmStep,
  dangerButtonClass,
  ErrorAlert,
  Field,
  fieldClass,
  helpIdOf,
  primaryButtonClass,
  StatusMessage,
} from "@/components/ui";
import type { TelegramStatus } from "./access-types";

/** Asks the bot to stop for good; who has access stays recorded. */
function RemoveBot({ confirming, onAsk, ...step }: ConfirmStep & { confirming: boolean; onAsk: () => void }) {
  if (!confirming)
    return (
      <button type="button" className={dangerButtonClass} disabled={step.pending} onClick={onAsk}>
        Remove bot
      </button>
    );
  return (
    <ConfirmDialog
      {...step}
      label="Confirm removing the bot"
      className="basis-full"
      confirmLabel="Yes, remove the bot"
      pendingLabel="Removing…"
      cancelLabel="Keep it"
    >
      <p>
        The bot stops and its token is deleted from this machine: nobody can reach the agents from Telegram
        until a bot is set up again. Who has access is kept; waiting pairing links stop working.
      </p>
    </ConfirmDialog>
  );
}

/**
 * The token (written, never shown) and, under Advanced, a Bot API server of one's own. Saving checks
 * the token with getMe first: a wrong one is refused with the reason and the bot in use stays.
 */
export function BotSettingsForm({ status }: { status: TelegramStatus }) {
  const id = useId();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [token, setToken] = useState("");
  const [apiRoot, setApiRoot] = useState(status.apiRoot ?? "");
  const [confirmingRemove, setConfirmingRemove] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const configure = useMutation(
    trpc.access.configureTelegram.mutationOptions({
      onMutate: () => setSaved(null),
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.access.status.queryKey() }),
    }),
  );
  const needsToken = !status.configured && !token.trim();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (needsToken || configure.isPending) return;
    configure.mutate(
      { token: token.trim() || undefined, apiRoot: apiRoot.trim() || null },
      {
        onSuccess: (result) => {
          setToken("");
          setSaved(result.username ? `Saved: the bot is @${result.username}.` : "Saved.");
        },
      },
    );
  };
  const remove = () =>
    configure.mutate(
      { token: null },
      {
        onSuccess: () => {
          setConfirmingRemove(false);
          setApiRoot("");
          setSaved("The bot was removed.");
        },
      },
    );

  return (
    <form onSubmit={submit} aria-label="Telegram bot" className="space-y-4">
      <Field
        id={`${id}-token`}
        label="Bot token"
        help={
          <>
            {status.configured
              ? "Leave it empty to keep the token in use (its hint is above)."
              : "@BotFather gives it out (in Telegram: /newbot, or /mybots → API Token)."}{" "}
            It is checked with Telegram before it is saved, kept 0600 on this machine and never shown again.
          </>
        }
      >
        <input
          id={`${id}-token`}
          type="password"
          value={token}
          onChange={(event) => setToken(event.target.value)}
          autoComplete="new-password"
          spellCheck={false}
          placeholder={
            status.configured
              ? "Paste a new token to replace the one in use"
              : "123456789:AA… (from @BotFather: /newbot)"
          }
          aria-describedby={helpIdOf(`${id}-token`)}
          className={`font-mono ${fieldClass}`}
        />
      </Field>
      <details className="group text-sm">
        <summary className="cursor-pointer select-none font-medium text-zinc-600 hover:text-zinc-900 focus-visible:outline-2 focus-visible:outline-emerald-600 dark:text-zinc-400 dark:hover:text-zinc-100">
          Advanced
        </summary>
        <Field
          id={`${id}-api`}
          label="Bot API base URL"
          help="Empty means Telegram's own. Set it only for a Bot API server of your own (telegram-bot-api)."
          className="mt-3"
        >
          <input
            id={`${id}-api`}
            type="url"
            value={apiRoot}
            onChange={(event) => setApiRoot(event.target.value)}
            autoComplete="off"
            spellCheck={false}
            placeholder="https://api.telegram.org"
            aria-describedby={helpIdOf(`${id}-api`)}
            className={`font-mono ${fieldClass}`}
          />
        </Field>
      </details>
      <div className="flex flex-wrap items-center gap-2">
        <button
          type="submit"
          className={primaryButtonClass}
          disabled={needsToken || configure.isPending}
          title={needsToken ? "Paste the bot's token first" : undefined}
        >
          {configure.isPending && configure.variables?.token !== null ? "Checking the token…" : "Save"}
        </button>
        {status.configured ? (
          <RemoveBot
            pending={configure.isPending}
            confirming={confirmingRemove}
            onAsk={() => {
              configure.reset();
              setSaved(null);
              setConfirmingRemove(true);
            }}
            onConfirm={remove}
            onCancel={() => setConfirmingRemove(false)}
          />
        ) : null}
      </div>
      <ErrorAlert error={configure.error} title="The bot was not changed" />
      <StatusMessage tone="ok">{saved}</StatusMessage>
    </form>
  );
}
