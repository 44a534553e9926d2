"use client";

import type { ReactNode } from "react";
import { ago, formatTime, since } from "@/components/format";
import { Badge, Facts, linkClass, useNow } from "@/components/ui";
import { botStateTone, type TelegramStatus } from "./access-types";

const stateHelp: Record<TelegramStatus["state"], string> = {
  off: "not running",
  starting: "checking the token and starting to poll",
  running: "polling Telegram for messages",
  retrying: "the Bot API is not answering; trying again",
  failed: "stopped",
};

export function BotStateBadge({ status }: { status: TelegramStatus }) {
  return (
    <span
      data-testid="bot-state"
      data-bot-state={status.state}
      title={stateHelp[status.state]}
      aria-live="polite"
    >
      <Badge tone={botStateTone[status.state]}>{status.state}</Badge>
    </span>
  );
}

/** Before there is a bot: what it takes to get one and what happens next. */
export function BotSteps() {
  return (
    <ol className="list-decimal space-y-1.5 pl-5 text-sm text-zinc-600 dark:text-zinc-400">
      <li>
        In Telegram, open a chat with{" "}
        <a href="https://t.me/BotFather" target="_blank" rel="noreferrer" className={linkClass}>
          @BotFather
        </a>
        , send <code className="font-mono text-xs">/newbot</code> and choose a name: it answers with the
        bot&apos;s token.
      </li>
      <li>Paste the token below. The panel checks it with Telegram, keeps it 0600 and starts the bot.</li>
      <li>
        Pair people: each gets a one-time link (or QR code) for one agent and one role, and you confirm the
        code they see before they get in.
      </li>
    </ol>
  );
}

/** Shown only when the bot talks to a Bot API server other than Telegram's. */
function apiRow(apiRoot: string | null): [string, ReactNode][] {
  if (!apiRoot) return [];
  return [
    [
      "Bot API",
      <code key="api" className="break-all font-mono text-xs">
        {apiRoot}
      </code>,
    ],
  ];
}

/** The bot as the panel runs it: its state (live), who it is, and when it last heard from Telegram. */
export function BotStatus({ status }: { status: TelegramStatus }) {
  const now = useNow();
  const problem = status.state === "failed" || status.state === "retrying" ? status.error : null;
  return (
    <div className="space-y-3">
      <Facts
        rows={[
          [
            "State",
            <span key="state" className="inline-flex flex-wrap items-center gap-2">
              <BotStateBadge status={status} />
              <span className="text-xs text-zinc-500 dark:text-zinc-400" title={formatTime(status.since)}>
                for {since(status.since, now)}
              </span>
            </span>,
          ],
          [
            "Bot",
            status.username ? (
              <a
                key="bot"
                href={`https://t.me/${status.username}`}
                target="_blank"
                rel="noreferrer"
                className={linkClass}
                data-testid="bot-username"
              >
                @{status.username}
              </a>
            ) : null,
          ],
          [
            "Token",
            status.tokenHint ? (
              <code key="token" className="font-mono text-xs">
                {status.tokenHint}
              </code>
            ) : null,
          ],
          ...apiRow(status.apiRoot),
          [
            "Last poll",
            status.lastPollAt ? (
              <span key="poll" title={formatTime(status.lastPollAt)}>
                {ago(status.lastPollAt, now)}
              </span>
            ) : (
              "not yet"
            ),
          ],
          ["Messages handled", status.messagesHandled.toLocaleString()],
        ]}
      />
      {problem ? (
        <p
          role={status.state === "failed" ? "alert" : undefined}
          className={`rounded-md border px-3 py-2 text-sm ${
            status.state === "failed"
              ? "border-red-200 bg-red-50 text-red-800 dark:border-red-900 dark:bg-red-950/40 dark:text-red-300"
              : "border-amber-300 bg-amber-50 text-amber-900 dark:border-amber-800 dark:bg-amber-950/40 dark:text-amber-200"
          }`}
        >
          {problem}
        </p>
      ) : null}
    </div>
  );
}
