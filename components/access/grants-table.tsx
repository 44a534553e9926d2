"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { ago, formatTime } from "@/components/format";
import { useTRPC } from "@/components/trpc";
import {
  Badge,
  ConfirmDialog,
  DataTable,
  ErrorAlert,
  linkClass,
  QueryState,
  smallButtonClass,
  smallDangerButtonClass,
  useNow,
} from "@/components/ui";
import type { Grant } from "./access-types";

const cell = "py-2.5 pr-3 align-middle";
/** Someone may be paired or revoked from the CLI or by an admin in Telegram meanwhile. */
const grantsPollMs = 10_000;

const personOf = (grant: Grant) => grant.subjectName ?? `Telegram user ${grant.subjectId}`;

function ConfirmRevoke({
  grant,
  pending,
  onConfirm,
  onCancel,
}: {
  grant: Grant;
  pending: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  return (
    <ConfirmDialog
      label={`Confirm revoking ${personOf(grant)} on ${grant.agent}`}
      confirmLabel={`Yes, revoke ${personOf(grant)}`}
      pendingLabel="Revoking…"
      pending={pending}
      onConfirm={onConfirm}
      cancelLabel="Keep"
      onCancel={onCancel}
    >
      <p>
        <strong>{personOf(grant)}</strong> loses the {grant.role} role on <strong>{grant.agent}</strong> now:
        the bot tells them, and their next message is refused. A job they started keeps running. To let them
        back in, pair them again.
      </p>
    </ConfirmDialog>
  );
}

/**
 * Who can reach the agents from Telegram, and in which role; each can be revoked (after a confirm
 * step). With `agent`, only that agent's, without its column.
 */
export function GrantsTable({ agent }: { agent?: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const now = useNow(10_000);
  const grants = useQuery({
    ...trpc.access.grants.queryOptions(agent ? { agent } : {}),
    refetchInterval: grantsPollMs,
  });
  const [confirming, setConfirming] = useState<string | null>(null);
  const [report, setReport] = useState<string | null>(null);
  const revoke = useMutation(
    trpc.access.revoke.mutationOptions({
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.access.grants.pathKey() }),
    }),
  );
  const setJobs = useMutation(
    trpc.access.setJobs.mutationOptions({
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.access.grants.pathKey() }),
    }),
  );
  const chosen = grants.data?.find((grant) => grant.id === confirming);
  const toggleJobs = (grant: Grant) => {
    setReport(null);
    setJobs.mutate(
      { channel: "telegram", agent: grant.agent, subjectId: grant.subjectId, jobs: !grant.jobs },
      {
        onSuccess: (updated) =>
          setReport(
            updated.jobs
              ? `${personOf(grant)} may now run Claude Code jobs on ${grant.agent}, at most ${updated.jobsPerHour} an hour.`
              : `${personOf(grant)} may no longer run Claude Code jobs on ${grant.agent}.`,
          ),
      },
    );
  };

  const ask = (grant: Grant) => {
    revoke.reset();
    setReport(null);
    setConfirming(grant.id);
  };
  const confirm = (grant: Grant) =>
    revoke.mutate(
      { channel: "telegram", agent: grant.agent, subjectId: grant.subjectId },
      {
        onSuccess: () => {
          setConfirming(null);
          setReport(`Revoked: ${personOf(grant)} no longer has access to ${grant.agent}.`);
        },
      },
    );

  return (
    <div className="space-y-3">
      <QueryState
        query={grants}
        errorTitle="Could not load who has access"
        lines={3}
        empty={
          <>
            {agent
              ? `Nobody can reach ${agent} from Telegram yet.`
              : "Nobody can reach the agents from Telegram yet."}{" "}
            Pairing someone gives them a role on one agent, once you have confirmed the code they were shown.
          </>
        }
      >
        {(data) => (
          <DataTable
            label="Who has access"
            columns={[...(agent ? [] : ["Agent"]), "Person", "Role", "Jobs", "Since", "Paired by"]}
            actions
          >
            {data.map((grant) => (
              <tr key={grant.id} data-grant={grant.id}>
                {agent ? null : (
                  <td className={cell}>
                    <Link href={`/agents/${grant.agent}?tab=access`} className={`font-medium ${linkClass}`}>
                      {grant.agent}
                    </Link>
                  </td>
                )}
                <td className={cell}>
                  {grant.subjectName ?? "—"}
                  <span className="block text-xs text-zinc-500 dark:text-zinc-400">
                    Telegram id {grant.subjectId}
                  </span>
                </td>
                <td className={cell}>
                  <Badge tone={grant.role === "admin" ? "warn" : "neutral"}>{grant.role}</Badge>
                </td>
                <td className={`${cell} whitespace-nowrap`}>
                  <span className="mr-2">
                    {grant.jobs ? (
                      <Badge tone="warn">{`up to ${grant.jobsPerHour}/h`}</Badge>
                    ) : (
                      <span className="text-xs text-zinc-500 dark:text-zinc-400">no</span>
                    )}
                  </span>
                  <button
                    type="button"
                    className={smallButtonClass}
                    disabled={setJobs.isPending}
                    aria-label={`${grant.jobs ? "Stop" : "Allow"} jobs for ${personOf(grant)} on ${grant.agent}`}
                    onClick={() => toggleJobs(grant)}
                  >
                    {grant.jobs ? "Stop" : "Allow"}
                  </button>
                </td>
                <td className={`${cell} whitespace-nowrap`} title={formatTime(grant.createdAt)}>
                  {ago(grant.createdAt, now)}
                </td>
                <td className={`${cell} text-xs text-zinc-500 dark:text-zinc-400`}>{grant.createdBy}</td>
                <td className={`${cell} pr-0 text-right`}>
                  <button
                    type="button"
                    className={smallDangerButtonClass}
                    aria-label={`Revoke ${personOf(grant)} on ${grant.agent}`}
                    aria-expanded={confirming === grant.id}
                    onClick={() => ask(grant)}
                  >
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </QueryState>
      {chosen ? (
        <ConfirmRevoke
          key={chosen.id}
          grant={chosen}
          pending={revoke.isPending}
          onConfirm={() => confirm(chosen)}
          onCancel={() => setConfirming(null)}
        />
      ) : null}
      <ErrorAlert error={revoke.error} title="Access was not revoked" />
      <ErrorAlert error={setJobs.error} title="The jobs right was not changed" />
      {report ? (
        <p role="status" className="text-sm text-zinc-700 dark:text-zinc-300">
          {report}
        </p>
      ) : null}
    </div>
  );
}
