"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { useTRPC } from "@/components/trpc";
import {
  Card,
  Checkbox,
  ConfirmDialog,
  DataTable,
  ErrorAlert,
  linkClass,
  QueryState,
  StatusMessage,
  smallButtonClass,
  useNow,
} from "@/components/ui";
import { SessionRow } from "./job-session-row";
import { formatHours, type JobSessionItem, jobsPollMs } from "./job-types";

function ConfirmCleanup({
  session,
  pending,
  onConfirm,
  onCancel,
}: {
  session: JobSessionItem;
  pending: boolean;
  onConfirm: (removeWorkspace: boolean) => void;
  onCancel: () => void;
}) {
  const [removeWorkspace, setRemoveWorkspace] = useState(false);
  return (
    <ConfirmDialog
      label={`Confirm cleaning up ${session.id}`}
      confirmLabel={`Yes, clean up ${session.id}`}
      pendingLabel="Cleaning up…"
      pending={pending}
      onConfirm={() => onConfirm(removeWorkspace)}
      onCancel={onCancel}
    >
      <p>
        Cleaning up <strong className="font-mono">{session.id}</strong> closes it: its Claude Code
        configuration and conversation are deleted, so it cannot be resumed. Its jobs and their output stay
        listed.
      </p>
      <Checkbox className="mt-3" checked={removeWorkspace} onChange={setRemoveWorkspace}>
        Also delete the workspace (the files Claude Code wrote)
      </Checkbox>
    </ConfirmDialog>
  );
}

/**
 * Open sessions: each keeps a workspace and Claude Code's conversation, so a later job can resume
 * it. Cleaning one up closes it for good; idle ones are cleaned up on their own after a while.
 */
export function JobSessionsCard({ onResume }: { onResume: (sessionId: string) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const now = useNow();
  const sessions = useQuery({
    ...trpc.jobs.sessions.queryOptions(),
    refetchInterval: (query) =>
      query.state.data?.some((session) => session.running + session.pending > 0) ? jobsPollMs : false,
  });
  const settings = useQuery(trpc.jobs.settings.queryOptions());
  const [confirming, setConfirming] = useState<string | null>(null);
  const [report, setReport] = useState<string | null>(null);
  const refresh = async () => {
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.jobs.sessions.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.jobs.list.pathKey() }),
    ]);
  };
  const cleanup = useMutation(trpc.jobs.cleanup.mutationOptions({ onSettled: refresh }));
  const idleHours = settings.data?.sessionIdleHours;

  const cleanOne = (sessionId: string, removeWorkspace: boolean) => {
    setReport(null);
    cleanup.mutate(
      { sessionId, removeWorkspace },
      {
        onSuccess: (result) => {
          setConfirming(null);
          setReport(
            result.closed.length
              ? `Cleaned up ${sessionId}${removeWorkspace ? ", workspace included" : ""}.`
              : `${sessionId} was already closed.`,
          );
        },
      },
    );
  };
  const cleanIdle = () => {
    setReport(null);
    setConfirming(null);
    cleanup.mutate(
      { removeWorkspace: false },
      {
        onSuccess: ({ closed, busy }) => {
          const idle = idleHours !== undefined ? ` idle longer than ${formatHours(idleHours)}` : " idle";
          const parts = [
            closed.length === 0
              ? `No session was${idle}.`
              : `Closed ${closed.length} ${closed.length === 1 ? "session" : "sessions"}${idle}: ${closed.join(", ")}.`,
          ];
          if (busy.length)
            parts.push(
              `${busy.length} ${busy.length === 1 ? "was" : "were"} left open because a job runs or waits: ${busy.join(", ")}.`,
            );
          setReport(parts.join(" "));
        },
      },
    );
  };
  const confirmed = sessions.data?.find((session) => session.id === confirming);

  return (
    <Card
      title="Sessions"
      action={
        <button
          type="button"
          className={smallButtonClass}
          disabled={cleanup.isPending || !sessions.data?.length}
          onClick={cleanIdle}
          title={
            idleHours !== undefined
              ? `Closes every session without activity for ${formatHours(idleHours)} (their workspaces stay)`
              : undefined
          }
        >
          {cleanup.isPending && !cleanup.variables?.sessionId ? "Cleaning up…" : "Clean up idle sessions"}
        </button>
      }
    >
      <QueryState
        query={sessions}
        errorTitle="Could not load sessions"
        lines={3}
        empty="No open sessions. Each new job starts one: a workspace and a Claude Code conversation that later jobs can resume."
      >
        {(data) => (
          <DataTable
            label="Sessions"
            columns={[
              "Session",
              "Created",
              "Last activity",
              { label: "Jobs", align: "right" },
              "Now",
              "Claude session",
            ]}
            actions
          >
            {data.map((session) => (
              <SessionRow
                key={session.id}
                session={session}
                now={now}
                confirming={confirming === session.id}
                onResume={onResume}
                onAskCleanup={(id) => {
                  cleanup.reset();
                  setReport(null);
                  setConfirming(id);
                }}
              />
            ))}
          </DataTable>
        )}
      </QueryState>
      <div className="mt-3 space-y-3">
        {confirmed ? (
          <ConfirmCleanup
            key={confirmed.id}
            session={confirmed}
            pending={cleanup.isPending}
            onConfirm={(removeWorkspace) => cleanOne(confirmed.id, removeWorkspace)}
            onCancel={() => setConfirming(null)}
          />
        ) : null}
        <ErrorAlert error={cleanup.error} />
        <StatusMessage>{report}</StatusMessage>
        <p className="text-xs text-zinc-500 dark:text-zinc-400">
          Sessions idle for {idleHours !== undefined ? formatHours(idleHours) : "a while"} are cleaned up on
          their own (workspaces stay); change that in the{" "}
          <Link href="/jobs/settings" className={linkClass}>
            job settings
          </Link>
          .
        </p>
      </div>
    </Card>
  );
}
