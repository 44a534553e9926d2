"use client";

import { type FormEvent, useId, useState } from "react";
import { Field, fieldClass, helpIdOf, narrowFieldClass, primaryButtonClass } from "@/components/ui";
import type { JobSettingsView } from "../job-types";
import { ConfigureOutcome, useConfigure } from "./configure";

/** Where Claude Code sends its requests, and how long an idle session stays open. */
export function ModelApiForm({ settings }: { settings: JobSettingsView }) {
  const id = useId();
  const state = useConfigure(settings);
  const [baseUrl, setBaseUrl] = useState(settings.baseUrl);
  const [idleHours, setIdleHours] = useState(String(settings.sessionIdleHours));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    state.run({ baseUrl: baseUrl.trim(), sessionIdleHours: Number(idleHours) }, "Saved.");
  };
  return (
    <form onSubmit={submit} aria-label="Model API and sessions" className="space-y-4">
      <Field
        id={`${id}-url`}
        label="Model API base URL"
        help="Where Claude Code sends its requests (ANTHROPIC_BASE_URL): the Anthropic API or a gateway. The job container can reach this host and nothing else (the default template)."
      >
        <input
          id={`${id}-url`}
          type="url"
          required
          value={baseUrl}
          onChange={(event) => setBaseUrl(event.target.value)}
          autoComplete="off"
          spellCheck={false}
          aria-describedby={helpIdOf(`${id}-url`)}
          className={`font-mono ${fieldClass}`}
        />
      </Field>
      <Field
        id={`${id}-idle`}
        label="Clean up sessions idle for (hours)"
        help="A session without a job for this long is closed: its conversation goes, its workspace stays."
      >
        <input
          id={`${id}-idle`}
          type="number"
          required
          min={1}
          max={24 * 365}
          step="any"
          value={idleHours}
          onChange={(event) => setIdleHours(event.target.value)}
          aria-describedby={helpIdOf(`${id}-idle`)}
          className={narrowFieldClass}
        />
      </Field>
      <button type="submit" className={primaryButtonClass} disabled={state.configure.isPending}>
        {state.configure.isPending ? "Saving…" : "Save"}
      </button>
      <ConfigureOutcome state={state} />
    </form>
  );
}
