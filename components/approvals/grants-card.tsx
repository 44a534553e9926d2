"use client";

import { useQuery } from "@tanstack/react-query";
import { ago, formatTime } from "@/components/format";
import { useTRPC } from "@/components/trpc";
import {
  Card,
  cellClass,
  DataTable,
  ErrorAlert,
  QueryState,
  StatusMessage,
  smallDangerButtonClass,
  useNow,
} from "@/components/ui";
import { destinationOf, type GrantItem, grantLeft } from "./approval-types";
import { Requester } from "./requester";
import { useRevoke } from "./use-approval-actions";

const kindText: Record<string, string> = {
  minutes: "for a time",
  uses: "for some uses",
  until_stop: "until it stops",
};

function GrantRow({
  grant,
  now,
  revoking,
  onRevoke,
}: {
  grant: GrantItem;
  now: number;
  revoking: boolean;
  onRevoke: (id: string) => void;
}) {
  return (
    <tr data-grant={grant.id}>
      <td className={`${cellClass} align-top`}>
        <span className="block whitespace-nowrap font-mono text-xs">{grant.id}</span>
        <span className="block text-xs text-zinc-500 dark:text-zinc-400">
          {kindText[grant.kind] ?? grant.kind}
        </span>
        {/* Here, not in a last column: on a phone it stays on the screen. */}
        <button
          type="button"
          className={`mt-1 ${smallDangerButtonClass}`}
          disabled={revoking}
          aria-label={`Revoke ${grant.id} (${destinationOf(grant)})`}
          onClick={() => onRevoke(grant.id)}
        >
          {revoking ? "Revoking…" : "Revoke"}
        </button>
      </td>
      <td className={`${cellClass} align-top break-all font-mono text-xs`}>{destinationOf(grant)}</td>
      <td className={`${cellClass} align-top whitespace-nowrap tabular-nums`} data-grant-left>
        {grantLeft(grant, now)}
      </td>
      <td className={`${cellClass} min-w-32 align-top`}>
        <Requester agent={grant.agent} job={grant.job} />
      </td>
      <td className={`${cellClass} align-top tabular-nums`}>{grant.used}</td>
      <td className={`${cellClass} pr-0 align-top whitespace-nowrap text-xs`}>
        <span title={formatTime(grant.createdAt)}>{ago(grant.createdAt, now)}</span>
        <span className="block text-zinc-500 dark:text-zinc-400">by {grant.createdBy}</span>
      </td>
    </tr>
  );
}

/** The grants decisions left behind that still let connections through, with what is left of each. */
export function GrantsCard() {
  const trpc = useTRPC();
  const now = useNow();
  const grants = useQuery(trpc.approvals.grants.queryOptions({}));
  const revoke = useRevoke();
  // A grant whose time ran out between the sweeps is not offered any more.
  const live = grants.data?.filter((grant) => !grant.expiresAt || new Date(grant.expiresAt).getTime() > now);
  return (
    <Card title="Grants">
      <div className="space-y-3">
        <QueryState
          query={{ data: live, error: grants.error }}
          errorTitle="Could not load the grants"
          lines={3}
          empty={
            <p>
              No grants are counting. Allowing a request for some minutes, some uses or until the agent stops
              leaves one here, and you can end it early.
            </p>
          }
        >
          {(rows) => (
            <DataTable label="Grants" columns={["Grant", "Destination", "Left", "For", "Used", "Granted"]}>
              {rows.map((grant) => (
                <GrantRow
                  key={grant.id}
                  grant={grant}
                  now={now}
                  revoking={revoke.isPending && revoke.variables?.id === grant.id}
                  onRevoke={(id) => revoke.mutate({ id })}
                />
              ))}
            </DataTable>
          )}
        </QueryState>
        {revoke.isSuccess ? (
          <StatusMessage tone="ok">
            Revoked {revoke.data.id}: it lets no more connections to {destinationOf(revoke.data)} through.
          </StatusMessage>
        ) : null}
        <ErrorAlert error={revoke.error} title="Not revoked" />
      </div>
    </Card>
  );
}
