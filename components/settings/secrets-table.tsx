import { Fragment } from "react";
import { ago, formatTime } from "@/components/format";
import {
  type ActionError,
  Badge,
  ConfirmDialog,
  cellClass,
  DataTable,
  smallButtonClass,
  smallDangerButtonClass,
  smallPrimaryButtonClass,
} from "@/components/ui";
import { deleteConsequence, type SecretRow, secretState, usedByText } from "./secret-types";

/** Deleting one secret: which one is being confirmed, and the call's state. */
export type SecretDeletion = {
  confirming: string | null;
  pending: boolean;
  error: ActionError;
  ask: (name: string) => void;
  confirm: (name: string) => void;
  cancel: () => void;
};

function SecretTableRow({
  row,
  now,
  onChoose,
  deletion,
}: {
  row: SecretRow;
  now: number;
  onChoose: (name: string) => void;
  deletion: SecretDeletion;
}) {
  const state = secretState(row);
  const users = usedByText(row.usedBy);
  const confirming = deletion.confirming === row.name;
  return (
    <Fragment>
      <tr data-secret={row.name}>
        <td className={`${cellClass} font-mono text-xs`}>{row.name}</td>
        <td className={`${cellClass} whitespace-nowrap`}>
          <Badge tone={state.tone}>{state.label}</Badge>
          {row.setAt ? (
            <span className="ml-2 text-xs text-zinc-500 dark:text-zinc-400" title={formatTime(row.setAt)}>
              {ago(row.setAt, now)}
            </span>
          ) : null}
        </td>
        <td className={cellClass}>
          {users ?? <span className="text-zinc-500 dark:text-zinc-400">nothing</span>}
        </td>
        <td className={`${cellClass} pr-0`}>
          <div className="flex items-center justify-end gap-1.5">
            {row.set ? (
              <>
                <button
                  type="button"
                  className={smallButtonClass}
                  aria-label={`Replace ${row.name}`}
                  onClick={() => onChoose(row.name)}
                >
                  Replace
                </button>
                <button
                  type="button"
                  className={smallDangerButtonClass}
                  aria-label={`Delete ${row.name}`}
                  aria-expanded={confirming}
                  disabled={deletion.pending}
                  onClick={() => deletion.ask(row.name)}
                >
                  Delete
                </button>
              </>
            ) : (
              <button
                type="button"
                className={smallPrimaryButtonClass}
                aria-label={`Set ${row.name}`}
                onClick={() => onChoose(row.name)}
              >
                Set
              </button>
            )}
          </div>
        </td>
      </tr>
      {confirming ? (
        <tr>
          <td colSpan={4} className="pb-3">
            <ConfirmDialog
              label={`Confirm deleting ${row.name}`}
              confirmLabel={`Yes, delete ${row.name}`}
              pendingLabel="Deleting…"
              pending={deletion.pending}
              onConfirm={() => deletion.confirm(row.name)}
              onCancel={deletion.cancel}
              error={deletion.error}
            >
              <p>
                The value is erased from CLAW_HOME and cannot be shown or restored; the deletion is recorded
                in the audit log. {deleteConsequence(row)}
              </p>
            </ConfirmDialog>
          </td>
        </tr>
      ) : null}
    </Fragment>
  );
}

/** The secrets by name: whether each is set and since when, who uses it, and what can be done. */
export function SecretsTable({
  rows,
  now,
  onChoose,
  deletion,
}: {
  rows: SecretRow[];
  now: number;
  /** Fills the form with the name, to set or replace its value. */
  onChoose: (name: string) => void;
  deletion: SecretDeletion;
}) {
  return (
    <DataTable label="Secrets" columns={["Name", "Value", "Used by"]} actions>
      {rows.map((row) => (
        <SecretTableRow key={row.name} row={row} now={now} onChoose={onChoose} deletion={deletion} />
      ))}
    </DataTable>
  );
}
