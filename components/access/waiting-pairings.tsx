"use client";

import { useQuery } from "@tanstack/react-query";
import { formatTime } from "@/components/format";
import { useTRPC } from "@/components/trpc";
import { Badge, Card, cellClass, DataTable, QueryState, useNow } from "@/components/ui";
import { formatCode, isOpen, type Pairing, pairingsPollMs, timeLeft } from "./access-types";
import { DecisionButtons, DecisionError, usePairingDecisions } from "./pairing-decisions";

function PairingRow({
  pairing,
  now,
  decisions,
}: {
  pairing: Pairing;
  now: number;
  decisions: ReturnType<typeof usePairingDecisions>;
}) {
  const claimed = pairing.status === "claimed";
  return (
    <tr data-pairing={pairing.id} data-status={pairing.status}>
      <td className={`${cellClass} font-medium`}>{pairing.agent}</td>
      <td className={cellClass}>{pairing.role}</td>
      <td className={cellClass}>
        <Badge tone={claimed ? "warn" : "neutral"}>{claimed ? "code shown" : "link not opened"}</Badge>
      </td>
      <td className={cellClass}>
        {claimed ? (
          <>
            {pairing.subjectName ?? "—"}
            <span className="block text-xs text-zinc-500 dark:text-zinc-400">
              Telegram id {pairing.subjectId}
            </span>
          </>
        ) : (
          <span className="text-zinc-500">—</span>
        )}
      </td>
      <td className={`${cellClass} whitespace-nowrap font-mono text-lg font-semibold tabular-nums`}>
        {pairing.code ? (
          formatCode(pairing.code)
        ) : (
          <span className="text-sm font-normal text-zinc-500">—</span>
        )}
      </td>
      <td className={`${cellClass} whitespace-nowrap tabular-nums`} title={formatTime(pairing.expiresAt)}>
        {timeLeft(pairing.expiresAt, now)}
      </td>
      <td className={`${cellClass} text-xs text-zinc-500 dark:text-zinc-400`}>{pairing.createdBy}</td>
      <td className={`${cellClass} pr-0 text-right`}>
        <DecisionButtons pairing={pairing} decisions={decisions} small />
      </td>
    </tr>
  );
}

/**
 * Every link still open, including those made earlier (their QR codes are gone: the server never
 * had them), except the one being followed in the pairing card.
 */
export function WaitingPairings({ exceptId }: { exceptId?: string }) {
  const trpc = useTRPC();
  const now = useNow();
  const decisions = usePairingDecisions();
  const pairings = useQuery({
    ...trpc.access.pairings.queryOptions(),
    refetchInterval: (query) =>
      query.state.data?.some((pairing) => isOpen(pairing.status)) ? pairingsPollMs : false,
  });
  const rows = pairings.data?.filter((pairing) => pairing.id !== exceptId && isOpen(pairing.status));

  return (
    <Card title="Waiting pairings">
      <QueryState
        query={{ data: rows, error: pairings.error }}
        errorTitle="Could not load the pairings"
        lines={2}
        empty={exceptId ? "No other pairing links are waiting." : "No pairing links are waiting."}
      >
        {(rows) => (
          <div className="space-y-3">
            <DataTable
              label="Waiting pairings"
              columns={["Agent", "Role", "Status", "Person", "Code", "Expires in", "Made by"]}
              actions
            >
              {rows.map((pairing) => (
                <PairingRow key={pairing.id} pairing={pairing} now={now} decisions={decisions} />
              ))}
            </DataTable>
            {rows.some((pairing) => pairing.status === "claimed") ? (
              <p className="text-sm font-medium">
                Confirm only if the person sees the same code in their chat with the bot.
              </p>
            ) : null}
            <DecisionError decisions={decisions} />
          </div>
        )}
      </QueryState>
    </Card>
  );
}
