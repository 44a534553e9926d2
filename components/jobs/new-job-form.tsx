"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, type Ref, useEffect, useId, useState } from "react";
import { useTRPC } from "@/components/trpc";
import { ErrorAlert, Field, fieldClass, helpIdOf } from "@/components/ui";
import { personSessions } from "./agent-job-text";
import { PromptField } from "./prompt-field";

const templatePattern = /^[a-z]([a-z0-9-]*[a-z0-9])?$/;
export const newSession = "new";

/** Where the refusal can be fixed in the panel itself, beside the command the server suggests. */
function FixLinks({ message }: { message: string }) {
  const links: { href: string; label: string }[] = [];
  if (/image .* is not built/i.test(message))
    links.push({ href: "/images", label: "Build it on the Images page" });
  if (/credentials/i.test(message))
    links.push({ href: "/jobs/settings", label: "Set them in the job settings" });
  if (links.length === 0) return null;
  return (
    <p className="text-sm">
      {links.map((link) => (
        <Link
          key={link.href}
          href={link.href}
          className="mr-4 font-medium text-emerald-700 hover:underline dark:text-emerald-400"
        >
          {link.label} →
        </Link>
      ))}
    </p>
  );
}

/** Submits a prompt with `jobs.start` and opens the new job; refusals show with their fix. */
export function useStartJob() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  return useMutation(
    trpc.jobs.start.mutationOptions({
      onSuccess: async ({ jobId }) => {
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.jobs.list.pathKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.jobs.sessions.queryKey() }),
        ]);
        router.push(`/jobs/${jobId}`);
      },
    }),
  );
}

export function StartJobError({ error }: { error: { message: string; data?: unknown } | null }) {
  if (!error) return null;
  return (
    <div className="space-y-2">
      <ErrorAlert error={error} title="The job was not started" />
      <FixLinks message={error.message} />
    </div>
  );
}

/**
 * A prompt for Claude Code, in a new session or one still open. The session is the page's state,
 * so "Resume" on a session row can choose it and focus the prompt.
 */
export function NewJobForm({
  session,
  onSessionChange,
  promptRef,
}: {
  session: string;
  onSessionChange: (session: string) => void;
  promptRef?: Ref<HTMLTextAreaElement>;
}) {
  const trpc = useTRPC();
  const id = useId();
  const sessions = useQuery({
    ...trpc.jobs.sessions.queryOptions(),
    // An agent's sessions are its own: a person's job cannot join one.
    select: personSessions,
  });
  const [prompt, setPrompt] = useState("");
  const [template, setTemplate] = useState("default");
  const start = useStartJob();
  const isNew = session === newSession;
  const chosen = sessions.data?.find((candidate) => candidate.id === session);
  const templateOk = !isNew || (templatePattern.test(template) && template.length <= 40);
  // A session cleaned up meanwhile (here or elsewhere) is no longer a choice.
  const gone = Boolean(sessions.data) && !isNew && !chosen;
  useEffect(() => {
    if (gone) onSessionChange(newSession);
  }, [gone, onSessionChange]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (prompt.trim() === "" || !templateOk || start.isPending) return;
    start.mutate(isNew ? { prompt, template } : { prompt, sessionId: session });
  };

  return (
    <form onSubmit={submit} aria-label="New job" className="space-y-4">
      <PromptField
        id={`${id}-prompt`}
        label="Prompt"
        value={prompt}
        onChange={setPrompt}
        ref={promptRef}
        rows={6}
        placeholder="What should Claude Code do? It works in the session's workspace."
      />
      <div className="grid gap-4 sm:grid-cols-2">
        <Field
          id={`${id}-session`}
          label="Session"
          help={
            isNew
              ? "A fresh workspace and conversation."
              : chosen?.claudeSessionId
                ? "Claude Code resumes this session's conversation, in its workspace."
                : "Runs in this session's workspace; its first job has not reported a conversation yet."
          }
        >
          <select
            id={`${id}-session`}
            value={session}
            onChange={(event) => onSessionChange(event.target.value)}
            className={fieldClass}
            aria-describedby={helpIdOf(`${id}-session`)}
          >
            <option value={newSession}>New session</option>
            {sessions.data?.map((candidate) => (
              <option key={candidate.id} value={candidate.id}>
                {`${candidate.id} (${candidate.template}, ${candidate.jobs} ${candidate.jobs === 1 ? "job" : "jobs"})`}
              </option>
            ))}
          </select>
        </Field>
        <Field
          id={`${id}-template`}
          label="Template"
          invalid={!templateOk}
          help={
            isNew
              ? "A job template (network, limits); “default” reaches the model API only."
              : "A session keeps the template it was started with."
          }
        >
          <input
            id={`${id}-template`}
            value={isNew ? template : (chosen?.template ?? "")}
            onChange={(event) => setTemplate(event.target.value.trim())}
            disabled={!isNew}
            autoComplete="off"
            spellCheck={false}
            aria-invalid={!templateOk}
            aria-describedby={helpIdOf(`${id}-template`)}
            className={`font-mono ${fieldClass} aria-invalid:border-red-500`}
          />
        </Field>
      </div>
      <div className="flex flex-wrap items-center gap-3">
        <button
          type="submit"
          disabled={prompt.trim() === "" || !templateOk || start.isPending}
          className="rounded-md bg-emerald-600 px-4 py-2 text-sm font-medium text-white hover:bg-emerald-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-emerald-600 disabled:opacity-50"
        >
          {start.isPending ? "Starting…" : isNew ? "Start job" : "Start job in this session"}
        </button>
        {!isNew ? (
          <button
            type="button"
            className="text-sm text-zinc-600 hover:underline dark:text-zinc-400"
            onClick={() => onSessionChange(newSession)}
          >
            Use a new session instead
          </button>
        ) : null}
      </div>
      <StartJobError error={start.error} />
    </form>
  );
}
