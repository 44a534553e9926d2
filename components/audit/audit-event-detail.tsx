"use client";

import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { formatTime } from "@/components/format";
import { useTRPC } from "@/components/trpc";
import { Facts, QueryState } from "@/components/ui";

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
        <QueryState query={detail} errorTitle="Could not load the event" lines={6}>
          {({ event, checkpoint }) => (
            <>
              <Facts
                rows={[
                  ["Time", `${formatTime(event.time)} (${event.time})`],
                  ["Event", `${event.category}/${event.action}`],
                  ["Actor", event.actor],
                  ["Agent", event.agent ?? "—"],
                  ["Outcome", event.outcome],
                  ["Hash", hash(event.hash)],
                  ["Previous hash", hash(event.prevHash)],
                ]}
              />
              <div>
                <h3 className="mb-2 text-sm font-semibold">Details</h3>
                <pre className="overflow-x-auto rounded-md bg-zinc-100 p-3 font-mono text-xs dark:bg-zinc-950">
                  {JSON.stringify(event.details, null, 2)}
                </pre>
              </div>
              <div>
                <h3 className="mb-2 text-sm font-semibold">Covering checkpoint</h3>
                {checkpoint ? (
                  <Facts
                    rows={[
                      ["Size", `${checkpoint.treeSize} events`],
                      ["Signed", formatTime(checkpoint.time)],
                      ["Head hash", hash(checkpoint.headHash)],
                      ["Key id", hash(checkpoint.keyId)],
                      ["Signature", hash(checkpoint.signature)],
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
        </QueryState>
      </div>
    </dialog>
  );
}
