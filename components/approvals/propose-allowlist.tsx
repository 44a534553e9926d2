"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { useState } from "react";
import { formatTime } from "@/components/format";
import { useTRPC } from "@/components/trpc";
import {
  buttonClass,
  Card,
  Checkbox,
  DataTable,
  ErrorAlert,
  Field,
  narrowFieldClass,
  primaryButtonClass,
  Skeleton,
  StatusMessage,
} from "@/components/ui";
import type { AppRouter } from "@/server/routers/root";

type Proposal = inferRouterOutputs<AppRouter>["approvals"]["propose"];
type Applied = inferRouterOutputs<AppRouter>["approvals"]["applyProposal"];

/** The windows a person picks from (the server takes 1 to 168 hours). */
const windows = [
  { hours: 1, label: "hour" },
  { hours: 6, label: "6 hours" },
  { hours: 24, label: "24 hours" },
  { hours: 72, label: "3 days" },
  { hours: 168, label: "7 days" },
] as const;

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

/**
 * "Propose an allowlist": the agent's egress of a chosen window (what learn mode let through, what
 * was denied for being off the list) as a diff to review, applied with one click (the agent's own
 * template copy gets the entries, and its policy is re-locked).
 */
export function ProposeAllowlist({ agent, mode }: { agent: string; mode: string | null }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [hours, setHours] = useState(24);
  const [asked, setAsked] = useState(false);
  // Entries the person unticked, by text; reset when a new proposal arrives.
  const [left, setLeft] = useState<ReadonlySet<string>>(new Set());
  const [stopLearning, setStopLearning] = useState(true);
  const [applied, setApplied] = useState<(Applied & { added: string[] }) | undefined>();
  const proposal = useQuery({ ...trpc.approvals.propose.queryOptions({ agent, hours }), enabled: asked });
  const apply = useMutation(
    trpc.approvals.applyProposal.mutationOptions({
      onSuccess: async (result, input) => {
        setApplied({ ...result, added: input.add });
        setLeft(new Set());
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.agents.egress.queryKey({ name: agent }) }),
          queryClient.invalidateQueries({ queryKey: trpc.approvals.propose.queryKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.agents.policy.queryKey({ name: agent }) }),
        ]);
      },
    }),
  );

  const propose = () => {
    setApplied(undefined);
    apply.reset();
    setLeft(new Set());
    if (asked) void proposal.refetch();
    else setAsked(true);
  };

  const data = proposal.data;
  const chosen = data?.add.filter((entry) => !left.has(entry.entry)) ?? [];
  const learning = mode === "learn";

  return (
    <section aria-label="Propose an allowlist">
      <Card title="Propose an allowlist">
        <p className="mb-4 text-sm text-zinc-600 dark:text-zinc-400">
          Turns what this agent reached in learn mode, and what was denied for being off its list, into
          entries to add. Hosts are grouped into <code>*.suffix</code> only where two or more share a domain
          one registers; addresses of this machine or a private network are never proposed.
        </p>
        <div className="flex flex-wrap items-end gap-3">
          <Field id="propose-window" label="From the last">
            <select
              id="propose-window"
              className={narrowFieldClass}
              value={hours}
              onChange={(event) => {
                setHours(Number(event.target.value));
                setApplied(undefined);
              }}
            >
              {windows.map((window) => (
                <option key={window.hours} value={window.hours}>
                  {window.label}
                </option>
              ))}
            </select>
          </Field>
          <button type="button" className={buttonClass} onClick={propose} disabled={proposal.isFetching}>
            {proposal.isFetching ? "Reading the egress…" : data ? "Propose again" : "Propose"}
          </button>
        </div>

        <div className="mt-4 space-y-4">
          {applied ? (
            <StatusMessage tone="ok">
              Added {applied.added.join(", ")} to this agent&apos;s allowlist and re-locked (mode:{" "}
              {applied.mode}). A running agent gets it at its next start at the latest: restart it to apply it
              now.
            </StatusMessage>
          ) : null}
          {proposal.error ? (
            <ErrorAlert error={proposal.error} title="Could not propose an allowlist" />
          ) : null}
          {asked && proposal.isPending && !proposal.error ? <Skeleton lines={3} /> : null}
          {data && !applied ? (
            <ProposalView
              proposal={data}
              left={left}
              onToggle={(entry, on) =>
                setLeft((current) => {
                  const next = new Set(current);
                  if (on) next.delete(entry);
                  else next.add(entry);
                  return next;
                })
              }
            />
          ) : null}
          {data && !applied && data.add.length > 0 ? (
            <div className="space-y-3">
              {learning ? (
                <Checkbox checked={stopLearning} onChange={setStopLearning} className="text-sm">
                  Then stop learning: switch to deny mode
                </Checkbox>
              ) : null}
              <button
                type="button"
                className={primaryButtonClass}
                disabled={chosen.length === 0 || apply.isPending}
                onClick={() =>
                  apply.mutate({
                    agent,
                    hours: data.window.hours,
                    add: chosen.map((entry) => entry.entry),
                    ...(learning && stopLearning ? { mode: "deny" as const } : {}),
                  })
                }
              >
                {apply.isPending
                  ? "Applying and re-locking…"
                  : `Add ${plural(chosen.length, "entry", "entries")} and re-lock`}
              </button>
              {apply.error ? <ErrorAlert error={apply.error} title="Could not apply the proposal" /> : null}
            </div>
          ) : null}
        </div>
      </Card>
    </section>
  );
}

function ProposalView({
  proposal,
  left,
  onToggle,
}: {
  proposal: Proposal;
  left: ReadonlySet<string>;
  onToggle: (entry: string, on: boolean) => void;
}) {
  const { window } = proposal;
  return (
    <div className="space-y-4">
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        {plural(window.events, "connection")} to consider from {formatTime(window.from)} to{" "}
        {formatTime(window.to)}.
        {window.truncated ? " Only the newest were read: pick a shorter window to see all of it." : ""}
      </p>
      {proposal.add.length === 0 ? (
        <p role="status" className="text-sm">
          {window.events === 0
            ? "Nothing to propose: no host was learned or denied for being off the list in this window."
            : "Nothing to add: what this window holds is already allowed or is not proposed (see below)."}
        </p>
      ) : (
        <DataTable label="Proposed entries" columns={["Add", "Entry", "Covers", "Connections", "Last seen"]}>
          {proposal.add.map((entry) => (
            <tr key={entry.entry} data-entry={entry.entry}>
              <td className="py-1.5 pr-3 align-top">
                <input
                  type="checkbox"
                  aria-label={`Add ${entry.entry}`}
                  checked={!left.has(entry.entry)}
                  onChange={(event) => onToggle(entry.entry, event.target.checked)}
                />
              </td>
              <td className="py-1.5 pr-3 align-top font-mono text-xs text-emerald-700 dark:text-emerald-400">
                + {entry.entry}
                {entry.note ? (
                  <div className="font-sans text-amber-700 dark:text-amber-400">{entry.note}</div>
                ) : null}
              </td>
              <td className="py-1.5 pr-3 align-top font-mono text-xs">
                {entry.hosts.map((host) => (
                  <div key={`${host.host}:${host.port}`}>
                    {host.host}:{host.port}{" "}
                    <span className="font-sans text-zinc-500">×{host.connections}</span>
                  </div>
                ))}
              </td>
              <td className="py-1.5 pr-3 align-top">{entry.connections}</td>
              <td className="whitespace-nowrap py-1.5 align-top text-zinc-500">
                {formatTime(entry.lastSeen)}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {proposal.skipped.length > 0 ? (
        <details className="text-sm">
          <summary className="cursor-pointer text-zinc-600 dark:text-zinc-400">
            Not proposed ({proposal.skipped.length})
          </summary>
          <ul className="mt-2 space-y-1" aria-label="Not proposed">
            {proposal.skipped.map((host) => (
              <li key={`${host.host}:${host.port}`}>
                <span className="font-mono text-xs">
                  {host.host}:{host.port}
                </span>{" "}
                <span className="text-zinc-600 dark:text-zinc-400">
                  ×{host.connections}: {host.reason}
                </span>
              </li>
            ))}
          </ul>
        </details>
      ) : null}
      {proposal.unchanged.length > 0 ? (
        <details className="text-sm">
          <summary className="cursor-pointer text-zinc-600 dark:text-zinc-400">
            Stays as it is ({plural(proposal.unchanged.length, "entry", "entries")})
          </summary>
          <ul className="mt-2 space-y-1 font-mono text-xs">
            {proposal.unchanged.map((entry) => (
              <li key={entry}>{entry}</li>
            ))}
          </ul>
        </details>
      ) : null}
    </div>
  );
}
