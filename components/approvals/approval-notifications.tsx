"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useState } from "react";
import {
  ErrorAlert,
  linkClass,
  smallButtonClass,
  smallDangerButtonClass,
  smallPrimaryButtonClass,
  useNow,
} from "@/components/ui";
import {
  type ApprovalRequested,
  approvalClosedOf,
  approvalRequestedOf,
  destinationOf,
  requesterText,
  requestLineOf,
  timeLeft,
} from "./approval-types";
import { Requester } from "./requester";
import { useDecide } from "./use-approval-actions";
import { useApprovalsLive } from "./use-approvals-live";

const shownAtOnce = 3;
/** A request whose end the socket missed still leaves, a little after it answered itself. */
const graceMs = 5_000;

function ApprovalToast({
  request,
  now,
  onDone,
}: {
  request: ApprovalRequested;
  now: number;
  onDone: (id: string) => void;
}) {
  const decide = useDecide({ onSuccess: () => onDone(request.id) });
  const titleId = `approval-toast-${request.id}`;
  const line = requestLineOf(request);
  const send = (decision: Parameters<typeof decide.mutate>[0]["decision"]) =>
    decide.mutate({ id: request.id, decision });
  return (
    <article
      aria-labelledby={titleId}
      data-approval-toast={request.id}
      className="pointer-events-auto w-[min(22rem,calc(100vw-2rem))] rounded-lg border border-amber-300 bg-white p-3 text-sm shadow-lg dark:border-amber-800 dark:bg-zinc-900"
    >
      <div className="flex items-start gap-2">
        <p id={titleId} className="min-w-0 flex-1 break-words">
          <Requester agent={request.agent} job={request.job} capital /> wants to reach{" "}
          <span className="font-mono font-medium">{destinationOf(request)}</span>
        </p>
        <button
          type="button"
          aria-label={`Dismiss the request of ${requesterText(request)} for ${destinationOf(request)}`}
          onClick={() => onDone(request.id)}
          className="rounded px-1 text-zinc-500 hover:bg-zinc-100 hover:text-zinc-900 focus-visible:outline-2 focus-visible:outline-emerald-600 dark:hover:bg-zinc-800 dark:hover:text-zinc-100"
        >
          ×
        </button>
      </div>
      {line ? (
        <p className="mt-1 break-all font-mono text-xs text-zinc-600 dark:text-zinc-400">{line}</p>
      ) : null}
      {request.activity ? (
        <p className="mt-1 break-words text-xs text-zinc-600 dark:text-zinc-400">Doing: {request.activity}</p>
      ) : null}
      <p className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">
        Denied by itself in <span className="tabular-nums">{timeLeft(request.expiresAt, now)}</span> ·{" "}
        <Link href="/approvals" className={linkClass}>
          more choices
        </Link>
      </p>
      <div className="mt-2 flex flex-wrap gap-2">
        <button
          type="button"
          className={smallPrimaryButtonClass}
          disabled={decide.isPending}
          onClick={() => send({ kind: "once" })}
        >
          Allow once
        </button>
        <button
          type="button"
          className={smallButtonClass}
          disabled={decide.isPending}
          onClick={() => send({ kind: "minutes", minutes: 10 })}
        >
          Allow 10 min
        </button>
        <button
          type="button"
          className={smallDangerButtonClass}
          disabled={decide.isPending}
          onClick={() => send({ kind: "deny" })}
        >
          Deny
        </button>
      </div>
      {decide.error ? (
        <div className="mt-2">
          <ErrorAlert error={decide.error} title="Not answered" />
        </div>
      ) : null}
    </article>
  );
}

/**
 * A notice on every panel page for each request an agent (or job) raises in `ask` mode, with the
 * quick answers; it leaves once the request is answered, here or anywhere else (another tab, the
 * CLI, Telegram), once it answered itself, or when dismissed. It also keeps the header's count live.
 * On the Approvals page itself the inbox shows them, so no toast covers it.
 */
export function ApprovalNotifications() {
  const onInbox = usePathname().startsWith("/approvals");
  const [toasts, setToasts] = useState<ApprovalRequested[]>([]);
  const [announced, setAnnounced] = useState("");
  const now = useNow();
  const [onDone] = useState(
    () => (id: string) => setToasts((current) => current.filter((toast) => toast.id !== id)),
  );
  useApprovalsLive((event) => {
    const raised = approvalRequestedOf(event);
    if (raised) {
      setToasts((current) =>
        current.some((toast) => toast.id === raised.id)
          ? current
          : [...current.filter((toast) => toast.expiresAt + graceMs > Date.now()), raised],
      );
      setAnnounced(`Approval request: ${requesterText(raised)} wants to reach ${destinationOf(raised)}.`);
      return;
    }
    const closed = approvalClosedOf(event);
    if (closed) onDone(closed);
  });
  const open = onInbox ? [] : toasts.filter((toast) => toast.expiresAt + graceMs > now);
  const hidden = open.length - shownAtOnce;
  return (
    <section
      aria-label="Approval requests"
      className="pointer-events-none fixed top-28 right-4 lg:top-16 z-50 flex flex-col items-end gap-2"
    >
      <p aria-live="polite" className="sr-only">
        {announced}
      </p>
      {open.slice(0, shownAtOnce).map((request) => (
        <ApprovalToast key={request.id} request={request} now={now} onDone={onDone} />
      ))}
      {hidden > 0 ? (
        <Link
          href="/approvals"
          className="pointer-events-auto rounded-md border border-amber-300 bg-white px-3 py-1.5 text-xs font-medium shadow dark:border-amber-800 dark:bg-zinc-900"
        >
          {hidden} more waiting: open Approvals
        </Link>
      ) : null}
    </section>
  );
}
