"use client";

import { type ChangeEvent, type FormEvent, useId, useState } from "react";
import { buttonClass, fieldClass, helpClass, primaryButtonClass } from "@/components/ui";
import type { JobSettingsView } from "../job-types";
import { ClearButton, ConfigureOutcome, useConfigure } from "./configure";
import { SetBadge } from "./secret-form";

type Loaded = { text: string; from: string | null };

/** Claude Code's OAuth credentials file, pasted or chosen, checked to be JSON before it is sent. */
export function CredentialsForm({ settings }: { settings: JobSettingsView }) {
  const id = useId();
  const state = useConfigure(settings);
  const [loaded, setLoaded] = useState<Loaded>({ text: "", from: null });
  const [readError, setReadError] = useState<string | null>(null);
  const text = loaded.text.trim();
  let jsonError: string | null = null;
  if (text) {
    try {
      JSON.parse(text);
    } catch {
      jsonError = loaded.from ? `${loaded.from} is not JSON.` : "This is not JSON.";
    }
  }
  const onFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = "";
    setReadError(null);
    if (!file) return;
    if (file.size > 65_536) {
      setReadError(`${file.name} is larger than 64 KiB; it is not a credentials file.`);
      return;
    }
    try {
      setLoaded({ text: await file.text(), from: file.name });
    } catch {
      setReadError(`Could not read ${file.name}.`);
    }
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!text || jsonError) return;
    state.run({ credentials: loaded.text }, "OAuth credentials saved.", () =>
      setLoaded({ text: "", from: null }),
    );
  };
  return (
    <form onSubmit={submit} aria-label="OAuth credentials" className="space-y-2">
      <div className="flex items-center gap-2 text-sm font-medium">
        OAuth credentials <SetBadge set={settings.credentialsSet} />
      </div>
      {loaded.from ? (
        <p className="flex flex-wrap items-center gap-2 text-sm">
          Read <code className="font-mono text-xs">{loaded.from}</code> ({loaded.text.length.toLocaleString()}{" "}
          characters) in this browser; it is sent when you save.
          <button
            type="button"
            className="text-zinc-600 hover:underline dark:text-zinc-400"
            onClick={() => setLoaded({ text: "", from: null })}
          >
            Clear
          </button>
        </p>
      ) : (
        <>
          <label htmlFor={`${id}-paste`} className="sr-only">
            Paste the credentials JSON
          </label>
          <textarea
            id={`${id}-paste`}
            value={loaded.text}
            onChange={(event) => setLoaded({ text: event.target.value, from: null })}
            rows={3}
            spellCheck={false}
            autoComplete="off"
            placeholder='Paste .credentials.json here: {"claudeAiOauth": {…}}'
            aria-invalid={Boolean(jsonError)}
            aria-describedby={jsonError ? `${id}-error ${id}-help` : `${id}-help`}
            className={`max-w-xl font-mono ${fieldClass} aria-invalid:border-red-500`}
          />
        </>
      )}
      <div className="flex flex-wrap items-center gap-2">
        <label
          className={`${buttonClass} cursor-pointer focus-within:outline-2 focus-within:outline-emerald-600`}
        >
          Choose a file…
          <input type="file" accept=".json,application/json" className="sr-only" onChange={onFile} />
        </label>
        <button
          type="submit"
          className={primaryButtonClass}
          disabled={!text || Boolean(jsonError) || state.configure.isPending}
        >
          {settings.credentialsSet ? "Replace" : "Set"}
        </button>
        {settings.credentialsSet ? (
          <ClearButton state={state} input={{ credentials: null }} message="OAuth credentials removed.">
            Remove
          </ClearButton>
        ) : null}
      </div>
      {jsonError || readError ? (
        <p id={`${id}-error`} className="text-sm text-red-700 dark:text-red-400">
          {jsonError ?? readError}
        </p>
      ) : null}
      <span id={`${id}-help`} className={helpClass}>
        The <code className="font-mono">.credentials.json</code> Claude Code writes after{" "}
        <code className="font-mono">claude login</code> (a Claude subscription). It stays in the panel: the
        model gateway adds its token to each request and refreshes it. An API key, when set, is used instead.
      </span>
      <ConfigureOutcome state={state} />
    </form>
  );
}
