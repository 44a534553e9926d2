"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/components/trpc";
import {
  ConfirmDialog,
  type ConfirmStep,
  DataTable,
  ErrorAlert,
  QueryState,
  StatusMessage,
  useNow,
} from "@/components/ui";
import { type Grant, personOf } from "./access-types";
import { GrantRow } from "./grant-row";

/** Someone may be paired or revoked from the CLI or by an admin in Telegram meanwhile. */
const grantsPollMs = 10_000;

function ConfirmRevoke({ grant, ...step }: ConfirmStep & { grant: Grant }) {
  return (
    <ConfirmDialog
      {...step}
      label={`Confirm revoking ${personOf(grant)} on ${grant.agent}`}
      confirmLabel={`Yes, revoke ${personOf(grant)}`}
      pendingLabel="Revoking…"
      cancelLabel="Keep"
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
              <GrantRow
                key={grant.id}
                grant={grant}
                agentColumn={!agent}
                now={now}
                confirming={confirming === grant.id}
                jobsPending={setJobs.isPending}
                onToggleJobs={toggleJobs}
                onAskRevoke={ask}
              />
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
      <StatusMessage>{report}</StatusMessage>
    </div>
  );
}
