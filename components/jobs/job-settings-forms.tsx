"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type ChangeEvent, type FormEvent, type ReactNode, useId, useState } from "react";
import { useTRPC } from "@/components/trpc";
import {
  Badge,
  buttonClass,
  Card,
  dangerButtonClass,
  ErrorAlert,
  fieldClass,
  primaryButtonClass,
} from "@/components/ui";
import type { JobSettingsView } from "./job-types";

const narrowFieldClass = `${fieldClass.replace("w-full ", "")} w-40`;

/**
 * One `jobs.configure` call per form, so each form shows its own outcome. Every call repeats the
 * saved non-secret settings: the server reads a left-out one as its default (zod fills it in), so
 * setting a key alone would reset the base URL and turn the webhook off.
 */
function useConfigure(settings: JobSettingsView) {
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
    run(input: Parameters<typeof configure.mutate>[0], message: string, after?: () => void) {
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

function Outcome({ state }: { state: ReturnType<typeof useConfigure> }) {
  return (
    <>
      <ErrorAlert error={state.configure.error} />
      {state.saved ? (
        <p role="status" className="text-sm text-emerald-700 dark:text-emerald-400">
          {state.saved}
        </p>
      ) : null}
    </>
  );
}

function SetBadge({ set }: { set: boolean }) {
  return <Badge tone={set ? "ok" : "neutral"}>{set ? "set" : "not set"}</Badge>;
}

function Help({ id, children }: { id: string; children: ReactNode }) {
  return (
    <span id={id} className="mt-1 block text-xs font-normal text-zinc-500 dark:text-zinc-400">
      {children}
    </span>
  );
}

function ModelApiForm({ settings }: { settings: JobSettingsView }) {
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
      <div>
        <label htmlFor={`${id}-url-field`} className="block text-sm font-medium">
          Model API base URL
        </label>
        <input
          id={`${id}-url-field`}
          type="url"
          required
          value={baseUrl}
          onChange={(event) => setBaseUrl(event.target.value)}
          autoComplete="off"
          spellCheck={false}
          aria-describedby={`${id}-url`}
          className={`mt-1 font-mono ${fieldClass}`}
        />
        <Help id={`${id}-url`}>
          Where Claude Code sends its requests (ANTHROPIC_BASE_URL): the Anthropic API or a gateway. The job
          container can reach this host and nothing else (the default template).
        </Help>
      </div>
      <div>
        <label htmlFor={`${id}-idle-field`} className="block text-sm font-medium">
          Clean up sessions idle for (hours)
        </label>
        <input
          id={`${id}-idle-field`}
          type="number"
          required
          min={1}
          max={24 * 365}
          step="any"
          value={idleHours}
          onChange={(event) => setIdleHours(event.target.value)}
          aria-describedby={`${id}-idle`}
          className={`mt-1 ${narrowFieldClass}`}
        />
        <Help id={`${id}-idle`}>
          A session without a job for this long is closed: its conversation goes, its workspace stays.
        </Help>
      </div>
      <button type="submit" className={primaryButtonClass} disabled={state.configure.isPending}>
        {state.configure.isPending ? "Saving…" : "Save"}
      </button>
      <Outcome state={state} />
    </form>
  );
}

/** A secret: whether it is set (never its value), a password field to set it, a button to remove it. */
function SecretForm({
  settings,
  name,
  label,
  set,
  help,
  field,
}: {
  settings: JobSettingsView;
  name: string;
  label: string;
  set: boolean;
  help: ReactNode;
  field: "apiKey" | "webhookToken";
}) {
  const id = useId();
  const state = useConfigure(settings);
  const [value, setValue] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (value.trim()) state.run({ [field]: value.trim() }, `${name} saved.`, () => setValue(""));
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
          <button
            type="button"
            className={dangerButtonClass}
            disabled={state.configure.isPending}
            onClick={() => state.run({ [field]: null }, `${name} removed.`)}
          >
            Remove
          </button>
        ) : null}
      </div>
      <Help id={`${id}-help`}>{help}</Help>
      <Outcome state={state} />
    </form>
  );
}

type Loaded = { text: string; from: string | null };

function CredentialsForm({ settings }: { settings: JobSettingsView }) {
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
          <button
            type="button"
            className={dangerButtonClass}
            disabled={state.configure.isPending}
            onClick={() => state.run({ credentials: null }, "OAuth credentials removed.")}
          >
            Remove
          </button>
        ) : null}
      </div>
      {jsonError || readError ? (
        <p id={`${id}-error`} className="text-sm text-red-700 dark:text-red-400">
          {jsonError ?? readError}
        </p>
      ) : null}
      <Help id={`${id}-help`}>
        The <code className="font-mono">.credentials.json</code> Claude Code writes after{" "}
        <code className="font-mono">claude login</code> (a Claude subscription). Each job gets a copy;
        refreshed tokens are written back. An API key, when set, is used instead.
      </Help>
      <Outcome state={state} />
    </form>
  );
}

function WebhookForm({ settings }: { settings: JobSettingsView }) {
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
      <div>
        <label htmlFor={`${id}-url-field`} className="block text-sm font-medium">
          Webhook URL
        </label>
        <input
          id={`${id}-url-field`}
          type="url"
          required
          value={url}
          onChange={(event) => setUrl(event.target.value)}
          placeholder="http://127.0.0.1:18789/hooks/agent"
          autoComplete="off"
          spellCheck={false}
          aria-describedby={`${id}-url`}
          className={`mt-1 font-mono ${fieldClass}`}
        />
        <Help id={`${id}-url`}>
          Called when a job ends, with its id, status and answer: an OpenClaw Gateway&apos;s /hooks/agent.
        </Help>
      </div>
      <div className="flex flex-wrap items-end gap-6">
        <div>
          <label htmlFor={`${id}-channel`} className="block text-sm font-medium">
            Channel
          </label>
          <input
            id={`${id}-channel`}
            value={channel}
            onChange={(event) => setChannel(event.target.value)}
            maxLength={40}
            autoComplete="off"
            spellCheck={false}
            className={`mt-1 font-mono ${narrowFieldClass}`}
          />
        </div>
        <label className="flex items-center gap-2 pb-2 text-sm">
          <input type="checkbox" checked={deliver} onChange={(event) => setDeliver(event.target.checked)} />
          Deliver the message to the channel
        </label>
      </div>
      <div className="flex flex-wrap gap-2">
        <button type="submit" className={primaryButtonClass} disabled={state.configure.isPending}>
          {state.configure.isPending ? "Saving…" : "Save webhook"}
        </button>
        {settings.webhook ? (
          <button
            type="button"
            className={dangerButtonClass}
            disabled={state.configure.isPending}
            onClick={() => state.run({ webhook: null }, "Webhook turned off.", () => setUrl(""))}
          >
            Turn off
          </button>
        ) : null}
      </div>
      <Outcome state={state} />
    </form>
  );
}

/**
 * Every job setting; each form saves on its own and starts from what was saved when the page
 * loaded. Secrets are only ever written, never shown.
 */
export function JobSettingsForms({ settings }: { settings: JobSettingsView }) {
  return (
    <div className="space-y-6">
      <Card title="Model API">
        <ModelApiForm settings={settings} />
      </Card>
      <Card title="Credentials">
        <div className="space-y-6">
          {settings.apiKeySet && settings.credentialsSet ? (
            <p role="note" className="text-sm text-zinc-600 dark:text-zinc-400">
              Both are set: jobs use the API key.
            </p>
          ) : null}
          <SecretForm
            settings={settings}
            name="API key"
            label="Anthropic API key"
            field="apiKey"
            set={settings.apiKeySet}
            help="An Anthropic API key (or your gateway's). It is stored 0600 in CLAW_HOME and given to each job's container only."
          />
          <CredentialsForm settings={settings} />
        </div>
      </Card>
      <Card title="Notification">
        <div className="space-y-6">
          <WebhookForm settings={settings} />
          <SecretForm
            settings={settings}
            name="Webhook token"
            label="Webhook bearer token"
            field="webhookToken"
            set={settings.webhookTokenSet}
            help="Sent as the webhook's bearer token (the Gateway's hooks token)."
          />
        </div>
      </Card>
    </div>
  );
}
