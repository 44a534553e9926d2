import type { ReactNode } from "react";
import type { ActionError } from "./action-error";
import { buttonClass, dangerButtonClass } from "./classes";
import { ErrorAlert } from "./error-alert";

/** What a confirm step built on ConfirmDialog takes from its caller. */
export type ConfirmStep = { pending: boolean; onConfirm: () => void; onCancel: () => void };

/**
 * The step before an action that cannot be taken back: what it will do (`children`), a button that
 * does it and one that backs out. Shown inline, under what it is about, as an `alertdialog` named
 * by `label`.
 */
export function ConfirmDialog({
  label,
  confirmLabel,
  pendingLabel,
  pending,
  onConfirm,
  cancelLabel = "Cancel",
  onCancel,
  danger = true,
  error,
  className = "",
  children,
}: {
  label: string;
  confirmLabel: string;
  /** The confirm button's text while the action runs ("Deleting…"). */
  pendingLabel: string;
  pending: boolean;
  onConfirm: () => void;
  cancelLabel?: string;
  onCancel: () => void;
  /** A destructive action gets a red button; one that only replaces something, a plain one. */
  danger?: boolean;
  /** Why the action was refused, shown in the dialog; many callers show it under the dialog instead. */
  error?: ActionError;
  className?: string;
  children: ReactNode;
}) {
  return (
    <div
      role="alertdialog"
      aria-label={label}
      className={`rounded-md border border-amber-300 bg-amber-50 p-4 text-sm dark:border-amber-800 dark:bg-amber-950/40 ${className}`}
    >
      {children}
      <div className="mt-3 flex gap-2">
        <button
          type="button"
          className={danger ? dangerButtonClass : buttonClass}
          disabled={pending}
          onClick={onConfirm}
        >
          {pending ? pendingLabel : confirmLabel}
        </button>
        <button type="button" className={buttonClass} onClick={onCancel}>
          {cancelLabel}
        </button>
      </div>
      {error ? (
        <div className="mt-3">
          <ErrorAlert error={error} />
        </div>
      ) : null}
    </div>
  );
}
