"use client";

import { type FormEvent, useId, useState } from "react";
import {
  Badge,
  Checkbox,
  Field,
  fieldClass,
  helpIdOf,
  narrowFieldClass,
  primaryButtonClass,
} from "@/components/ui";
import type { JobSettingsView } from "../job-types";
import { ClearButton, ConfigureOutcome, useConfigure } from "./configure";

/** Where a finished job is announced: an OpenClaw Gateway's hook, the channel and whether to deliver. */
export function WebhookForm({ settings }: { settings: JobSettingsView }) {
  const id = useId();
  const state = useConfigure(settings);
  const [url, setUrl] = useState(settings.webhook?.url ?? "");
  const [channel, setChannel] = useState(settings.webhook?.channel ?? "last");
  const [deliver, setDeliver] = useState(settings.webhook?.deliver ?? true);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    state.run({ webhook: { url: url.trim(), channel: channel.trim() || "last", deliver } }, "Webhook saved.");
  };
  return (
    <form onSubmit={submit} aria-label="Webhook" className="space-y-4">
      <div className="flex items-center gap-2 text-sm font-medium">
        Webhook <Badge tone={settings.webhook ? "ok" : "neutral"}>{settings.webhook ? "on" : "off"}</Badge>
      </div>
      <Field
        id={`${id}-url`}
        label="Webhook URL"
        help="Called when a job ends, with its id, status and answer: an OpenClaw Gateway's /hooks/agent."
      >
        <input
          id={`${id}-url`}
          type="url"
          required
          value={url}
          onChange={(event) => setUrl(event.target.value)}
          placeholder="http://127.0.0.1:18789/hooks/agent"
          autoComplete="off"
          spellCheck={false}
          aria-describedby={helpIdOf(`${id}-url`)}
          className={`font-mono ${fieldClass}`}
        />
      </Field>
      <div className="flex flex-wrap items-end gap-6">
        <Field id={`${id}-channel`} label="Channel">
          <input
            id={`${id}-channel`}
            value={channel}
            onChange={(event) => setChannel(event.target.value)}
            maxLength={40}
            autoComplete="off"
            spellCheck={false}
            className={`font-mono ${narrowFieldClass}`}
          />
        </Field>
        <Checkbox className="pb-2 text-sm" checked={deliver} onChange={setDeliver}>
          Deliver the message to the channel
        </Checkbox>
      </div>
      <div className="flex flex-wrap gap-2">
        <button type="submit" className={primaryButtonClass} disabled={state.configure.isPending}>
          {state.configure.isPending ? "Saving…" : "Save webhook"}
        </button>
        {settings.webhook ? (
          <ClearButton
            state={state}
            input={{ webhook: null }}
            message="Webhook turned off."
            after={() => setUrl("")}
          >
            Turn off
          </ClearButton>
        ) : null}
      </div>
      <ConfigureOutcome state={state} />
    </form>
  );
}
