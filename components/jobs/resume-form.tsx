"use client";

import Link from "next/link";
import { type FormEvent, useId, useState } from "react";
import { linkClass, primaryButtonClass } from "@/components/ui";
import { StartJobError, useStartJob } from "./new-job-form";
import { PromptField } from "./prompt-field";

/** A next prompt in the same session: Claude Code resumes the conversation, in the same workspace. */
export function ResumeForm({
  sessionId,
  agent = null,
  closed,
  waitsForThisJob,
}: {
  sessionId: string;
  /** The agent whose session this is: it alone continues it. */
  agent?: string | null;
  closed: boolean;
  waitsForThisJob: boolean;
}) {
  const id = useId();
  const [prompt, setPrompt] = useState("");
  const start = useStartJob();
  if (closed)
    return (
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        Session {sessionId} was cleaned up, so it cannot be resumed. Start a new job from the jobs page.
      </p>
    );
  if (agent)
    return (
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        Session {sessionId} belongs to the agent{" "}
        <Link href={`/agents/${agent}?tab=jobs`} className={linkClass}>
          {agent}
        </Link>
        : only it continues the session. Start a new job from the jobs page.
      </p>
    );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (prompt.trim() && !start.isPending) start.mutate({ prompt, sessionId });
  };
  return (
    <form onSubmit={submit} aria-label="Resume this session" className="space-y-3">
      <PromptField
        id={`${id}-prompt`}
        label={`Next prompt in ${sessionId}`}
        value={prompt}
        onChange={setPrompt}
        rows={3}
        placeholder="Continue the conversation…"
      />
      <div className="flex flex-wrap items-center gap-3">
        <button type="submit" className={primaryButtonClass} disabled={!prompt.trim() || start.isPending}>
          {start.isPending ? "Starting…" : "Resume session"}
        </button>
        {waitsForThisJob ? (
          <span className="text-xs text-zinc-500 dark:text-zinc-400">
            It waits until this job ends: a session runs one job at a time.
          </span>
        ) : null}
      </div>
      <StartJobError error={start.error} />
    </form>
  );
}
