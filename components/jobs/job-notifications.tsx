"use client";

import Link from "next/link";
import { useEffect, useState } from "react";
import type { AuditEvent } from "@/components/audit/audit-types";
import { useReconnectingSocket } from "@/components/use-reconnecting-socket";

type JobEnded = {
  eventId: number;
  job: string;
  status: "completed" | "failed" | "cancelled";
  errorType: string | null;
};

const endings: Record<string, JobEnded["status"]> = {
  job_completed: "completed",
  job_failed: "failed",
  job_cancelled: "cancelled",
};
const hideAfterMs = 10_000;
const shownAtOnce = 5;

/** Pure: the job that ended, from an audit event of the `job` category; undefined for other actions. */
export function jobEndedOf(event: Pick<AuditEvent, "id" | "action" | "details">): JobEnded | undefined {
  const status = endings[event.action];
  const details = event.details as { job?: unknown; errorType?: unknown } | null;
  if (!status || typeof details?.job !== "string") return undefined;
  return {
    eventId: event.id,
    job: details.job,
    status,
    errorType: typeof details.errorType === "string" ? details.errorType : null,
  };
}

/**
 * Jobs that end while the panel is open, from the audit live tail (`/ws/audit?category=job`),
 * reconnecting with backoff after a drop (a panel restart, a laptop waking up).
 */
function useJobEndings(onEnded: (ended: JobEnded) => void) {
  useReconnectingSocket<{ type: string; events?: AuditEvent[] }>("/ws/audit?category=job", {
    onMessage: (message) => {
      if (message.type !== "events" || !message.events) return;
      for (const event of message.events) {
        const ended = jobEndedOf(event);
        if (ended) onEnded(ended);
      }
    },
  });
}

const toneClass: Record<JobEnded["status"], string> = {
  completed: "border-emerald-300 dark:border-emerald-800",
  failed: "border-red-300 dark:border-red-900",
  cancelled: "border-zinc-300 dark:border-zinc-700",
};

function Toast({ ended, onDismiss }: { ended: JobEnded; onDismiss: (eventId: number) => void }) {
  const [paused, setPaused] = useState(false);
  const { eventId } = ended;
  // Hidden after a while, but not while the pointer or the keyboard is on it.
  useEffect(() => {
    if (paused) return;
    const timer = setTimeout(() => onDismiss(eventId), hideAfterMs);
    return () => clearTimeout(timer);
  }, [paused, onDismiss, eventId]);
  return (
    <div
      role="status"
      data-job-toast={ended.job}
      data-job-toast-status={ended.status}
      onMouseEnter={() => setPaused(true)}
      onMouseLeave={() => setPaused(false)}
      onFocus={() => setPaused(true)}
      onBlur={() => setPaused(false)}
      className={`pointer-events-auto flex w-80 items-start gap-3 rounded-lg border bg-white p-3 text-sm shadow-lg dark:bg-zinc-900 ${toneClass[ended.status]}`}
    >
      <p className="min-w-0 flex-1">
        Job{" "}
        <Link
          href={`/jobs/${ended.job}`}
          className="font-mono font-medium text-emerald-700 hover:underline focus-visible:outline-2 focus-visible:outline-emerald-600 dark:text-emerald-400"
        >
          {ended.job}
        </Link>{" "}
        <span
          className={ended.status === "failed" ? "font-medium text-red-700 dark:text-red-400" : undefined}
        >
          {ended.status}
        </span>
        {ended.errorType ? (
          <span className="text-zinc-600 dark:text-zinc-400">: {ended.errorType.replace(/_/g, " ")}</span>
        ) : null}
        .
      </p>
      <button
        type="button"
        aria-label={`Dismiss the notice about ${ended.job}`}
        onClick={() => onDismiss(eventId)}
        className="rounded px-1 text-zinc-500 hover:bg-zinc-100 hover:text-zinc-900 focus-visible:outline-2 focus-visible:outline-emerald-600 dark:hover:bg-zinc-800 dark:hover:text-zinc-100"
      >
        ×
      </button>
    </div>
  );
}

/** A notice in the corner of every panel page when a job completes, fails or is cancelled. */
export function JobNotifications() {
  const [toasts, setToasts] = useState<JobEnded[]>([]);
  const [onEnded] = useState(
    () => (ended: JobEnded) =>
      setToasts((current) =>
        current.some((toast) => toast.eventId === ended.eventId)
          ? current
          : [...current, ended].slice(-shownAtOnce),
      ),
  );
  const [onDismiss] = useState(
    () => (eventId: number) => setToasts((current) => current.filter((toast) => toast.eventId !== eventId)),
  );
  useJobEndings(onEnded);
  return (
    <section
      aria-label="Job notifications"
      className="pointer-events-none fixed right-4 bottom-4 z-50 flex flex-col items-end gap-2"
    >
      {toasts.map((ended) => (
        <Toast key={ended.eventId} ended={ended} onDismiss={onDismiss} />
      ))}
    </section>
  );
}
