"use client";

import { Card } from "@/components/ui";
import type { TelegramStatus } from "./access-types";
import { BotSettingsForm } from "./bot-settings-form";
import { BotStateBadge, BotStatus, BotSteps } from "./bot-status";

/** The Telegram bot people talk to: how it is doing, and its token. Before there is one, the steps. */
export function BotCard({ status }: { status: TelegramStatus }) {
  return (
    <Card title="Telegram bot" action={status.configured ? null : <BotStateBadge status={status} />}>
      <div className="space-y-5">
        {status.configured ? <BotStatus status={status} /> : <BotSteps />}
        <BotSettingsForm status={status} />
      </div>
    </Card>
  );
}
