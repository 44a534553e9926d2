"use client";

import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { useTRPC } from "@/components/trpc";
import { Facts, Skeleton } from "@/components/ui";
import { formatTime } from "./audit-table";

/** The event, its place in the chain, and the signed checkpoint that vouches for it. */
export function AuditEventDetail({ id, onClose }: { id: number; onClose: () => void }) {
  const trpc = useTRPC();
  const detail = useQuery(trpc.audit.get.queryOptions({ id }));
  const dialog = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    dialog.current?.showModal();
  }, []);

  const hash = (value: string) => <code className="break-all font-mono text-xs">{value}</code>;
  return (
    <dialog
      ref={dialog}
      onClose={onClose}
      aria-labelledby="audit-detail-title"
      className="m-auto w-full max-w-3xl rounded-lg border border-zinc-200 bg-white p-0 text-zinc-900 shadow-xl backdrop:bg-black/40 dark:border-zinc-800 dark:bg-zinc-900 dark:text-zinc-100"
    >
      <div className="flex items-center justify-between border-b border-zinc-200 px-5 py-3 dark:border-zinc-800">
        <h2 id="audit-detail-title" className="font-semibold">
          Event #{id}
        </h2>
        <button
          type="button"
          onClick={() => dialog.current?.close()}
          className="rounded-md px-2 py-1 text-sm hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-emerald-600 dark:hover:bg-zinc-800"
        >
          Close
        </button>
      </div>
      <div className="max-h-[75vh] space-y-5 overflow-y-auto px-5 py-4">
        {detail.error ? (
          <p className="text-sm text-red-700 dark:text-red-400">{detail.error.message}</p>
        ) : !detail.data ? (
          <Skeleton lines={6} />
        ) : (
          <>
            <Facts
              rows={[
                ["Time", `${formatTime(detail.data.event.time)} (${detail.data.event.time})`],
                ["Event", `${detail.data.event.category}/${detail.data.event.action}`],
                ["Actor", detail.data.event.actor],
                ["Agent", detail.data.event.agent ?? "—"],
                ["Outcome", detail.data.event.outcome],
                ["Hash", hash(detail.data.event.hash)],
                ["Previous hash", hash(detail.data.event.prevHash)],
              ]}
            />
            <div>
              <h3 className="mb-2 text-sm font-semibold">Details</h3>
              <pre className="overflow-x-auto rounded-md bg-zinc-100 p-3 font-mono text-xs dark:bg-zinc-950">
                {JSON.stringify(detail.data.event.details, null, 2)}
              </pre>
            </div>
            <div>
              <h3 className="mb-2 text-sm font-semibold">Covering checkpoint</h3>
              {detail.data.checkpoint ? (
                <Facts
                  rows={[
                    ["Size", `${detail.data.checkpoint.treeSize} events`],
                    ["Signed", formatTime(detail.data.checkpoint.time)],
                    ["Head hash", hash(detail.data.checkpoint.headHash)],
                    ["Key id", hash(detail.data.checkpoint.keyId)],
                    ["Signature", hash(detail.data.checkpoint.signature)],
                  ]}
                />
              ) : (
                <p className="text-sm text-zinc-600 dark:text-zinc-400">
                  Not covered yet: the next signed checkpoint (within 10 seconds, or after 100 events) will
                  include it. Until then the hash chain alone protects it.
                </p>
              )}
            </div>
          </>
        )}
      </div>
    </dialog>
  );
}
