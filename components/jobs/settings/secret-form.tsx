"use client";

import { type FormEvent, useId, useState } from "react";
import { Badge, fieldClass, helpClass, primaryButtonClass } from "@/components/ui";
import type { JobSettingsView } from "../job-types";
import { ClearButton, ConfigureOutcome, useConfigure } from "./configure";

/** Whether a secret is saved; its value is never shown. */
export function SetBadge({ set }: { set: boolean }) {
  return <Badge tone={set ? "ok" : "neutral"}>{set ? "set" : "not set"}</Badge>;
}

/** The secrets jobs use: what each form is called and says, and whether the secret is saved. */
const secrets = {
  apiKey: {
    name: "API key",
    label: "Anthropic API key",
    help: "An Anthropic API key (or your gateway's). Stored 0600 in CLAW_HOME as the secret anthropic-api-key, shared with agents: the panel's model gateway adds it to each request, so it never enters a container.",
    isSet: (settings: JobSettingsView) => settings.apiKeySet,
  },
  webhookToken: {
    name: "Webhook token",
    label: "Webhook bearer token",
    help: "Sent as the webhook's bearer token (the Gateway's hooks token).",
    isSet: (settings: JobSettingsView) => settings.webhookTokenSet,
  },
};

/** A secret: whether it is set (never its value), a password field to set it, a button to remove it. */
export function SecretForm({
  settings,
  secret,
}: {
  settings: JobSettingsView;
  secret: keyof typeof secrets;
}) {
  const { name, label, help, isSet } = secrets[secret];
  const set = isSet(settings);
  const id = useId();
  const state = useConfigure(settings);
  const [value, setValue] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (value.trim()) state.run({ [secret]: value.trim() }, `${name} saved.`, () => setValue(""));
  };
  return (
    <form onSubmit={submit} aria-label={name} className="space-y-2">
      <div className="flex items-center gap-2 text-sm font-medium">
        {name} <SetBadge set={set} />
      </div>
      <label htmlFor={`${id}-value`} className="sr-only">
        {label}
      </label>
      <div className="flex flex-wrap items-center gap-2">
        <input
          id={`${id}-value`}
          type="password"
          value={value}
          onChange={(event) => setValue(event.target.value)}
          autoComplete="new-password"
          spellCheck={false}
          placeholder={set ? "Enter a new one to replace it" : label}
          aria-describedby={`${id}-help`}
          className={`max-w-md flex-1 font-mono ${fieldClass}`}
        />
        <button
          type="submit"
          className={primaryButtonClass}
          disabled={!value.trim() || state.configure.isPending}
        >
          {set ? "Replace" : "Set"}
        </button>
        {set ? (
          <ClearButton state={state} input={{ [secret]: null }} message={`${name} removed.`}>
            Remove
          </ClearButton>
        ) : null}
      </div>
      <span id={`${id}-help`} className={helpClass}>
        {help}
      </span>
      <ConfigureOutcome state={state} />
    </form>
  );
}
