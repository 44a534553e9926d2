"use client";

import { type FormEvent, useState } from "react";
import {
  buttonClass,
  ConfirmDialog,
  dangerButtonClass,
  ErrorAlert,
  fieldClass,
  primaryButtonClass,
} from "@/components/ui";
import { type ApprovalItem, destinationOf, minutesField, reasonField, usesField } from "./approval-types";
import { useDecide } from "./use-approval-actions";

type Decision = Parameters<ReturnType<typeof useDecide>["mutate"]>[0]["decision"];

const numberClass = `${fieldClass.replace("w-full ", "")} w-24`;
const labelClass = "block text-xs font-medium text-zinc-600 dark:text-zinc-400";

/** Every answer to a waiting request: once, for minutes, for uses, until it stops, always, deny. */
export function DecisionControls({ approval }: { approval: ApprovalItem }) {
  const decide = useDecide();
  const [minutes, setMinutes] = useState("10");
  const [uses, setUses] = useState("5");
  const [reason, setReason] = useState("");
  const [confirmAlways, setConfirmAlways] = useState(false);
  const [fieldError, setFieldError] = useState<string | null>(null);
  const { id } = approval;
  const busy = decide.isPending;
  // A job's network comes from its agent's policy: only an agent's own template copy takes "always".
  const canAlways = Boolean(approval.agent) && !approval.job;

  const send = (decision: Decision) => {
    setFieldError(null);
    decide.mutate({ id, decision });
  };
  const submit =
    <T,>(
      parse: () => { success: true; data: T } | { success: false; error: { issues: { message: string }[] } },
      toDecision: (value: T) => Decision,
    ) =>
    (event: FormEvent) => {
      event.preventDefault();
      const parsed = parse();
      if (!parsed.success) {
        setFieldError(parsed.error.issues[0]?.message ?? "That is not a valid answer.");
        return;
      }
      send(toDecision(parsed.data));
    };

  const minutesValue = minutesField.safeParse(minutes);
  const usesValue = usesField.safeParse(uses);

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap gap-2">
        <button
          type="button"
          className={primaryButtonClass}
          disabled={busy}
          onClick={() => send({ kind: "once" })}
        >
          Allow once
        </button>
        <button
          type="button"
          className={buttonClass}
          disabled={busy}
          onClick={() => send({ kind: "until_stop" })}
        >
          {approval.job ? "Until the job ends" : "Until the agent stops"}
        </button>
        {canAlways ? (
          <button
            type="button"
            className={buttonClass}
            disabled={busy}
            aria-expanded={confirmAlways}
            onClick={() => setConfirmAlways(true)}
          >
            Always…
          </button>
        ) : null}
      </div>

      {confirmAlways && approval.agent ? (
        <ConfirmDialog
          label={`Confirm allowing ${destinationOf(approval)} always`}
          confirmLabel="Add to the allowlist"
          pendingLabel="Re-locking…"
          pending={busy}
          danger={false}
          onConfirm={() => send({ kind: "always" })}
          onCancel={() => setConfirmAlways(false)}
        >
          <p>
            Add <span className="font-mono">{destinationOf(approval)}</span> to the allowlist of{" "}
            <span className="font-medium">{approval.agent}</span>? Its own template copy changes and its
            policy is re-compiled and re-locked (the change is audited with the lists before and after). From
            then on it reaches this host without asking, until someone removes it from the allowlist.
          </p>
        </ConfirmDialog>
      ) : null}

      <div className="flex flex-wrap gap-x-6 gap-y-3">
        <form
          noValidate
          aria-label={`Allow ${id} for some minutes`}
          className="flex items-end gap-2"
          onSubmit={submit(
            () => minutesField.safeParse(minutes),
            (value) => ({ kind: "minutes", minutes: value }),
          )}
        >
          <div>
            <label htmlFor={`${id}-minutes`} className={labelClass}>
              Minutes
            </label>
            <input
              id={`${id}-minutes`}
              type="number"
              inputMode="numeric"
              min={1}
              max={10080}
              value={minutes}
              onChange={(event) => setMinutes(event.target.value)}
              className={`mt-1 block ${numberClass}`}
            />
          </div>
          <button type="submit" className={buttonClass} disabled={busy}>
            {minutesValue.success ? `Allow for ${minutesValue.data} min` : "Allow for minutes"}
          </button>
        </form>
        <form
          noValidate
          aria-label={`Allow ${id} for some uses`}
          className="flex items-end gap-2"
          onSubmit={submit(
            () => usesField.safeParse(uses),
            (value) => ({ kind: "uses", uses: value }),
          )}
        >
          <div>
            <label htmlFor={`${id}-uses`} className={labelClass}>
              Uses
            </label>
            <input
              id={`${id}-uses`}
              type="number"
              inputMode="numeric"
              min={1}
              max={10000}
              value={uses}
              onChange={(event) => setUses(event.target.value)}
              className={`mt-1 block ${numberClass}`}
            />
          </div>
          <button type="submit" className={buttonClass} disabled={busy}>
            {usesValue.success
              ? `Allow ${usesValue.data} ${usesValue.data === 1 ? "use" : "uses"}`
              : "Allow uses"}
          </button>
        </form>
      </div>

      <form
        aria-label={`Deny ${id}`}
        className="flex flex-wrap items-end gap-2"
        onSubmit={submit(
          () => reasonField.safeParse(reason),
          (value) => (value ? { kind: "deny", reason: value } : { kind: "deny" }),
        )}
      >
        <div className="min-w-0 flex-1 basis-56">
          <label htmlFor={`${id}-reason`} className={labelClass}>
            Reason the agent sees (optional)
          </label>
          <input
            id={`${id}-reason`}
            type="text"
            maxLength={300}
            value={reason}
            onChange={(event) => setReason(event.target.value)}
            placeholder="e.g. use the mirror instead"
            className={`mt-1 block ${fieldClass}`}
          />
        </div>
        <button type="submit" className={dangerButtonClass} disabled={busy}>
          Deny
        </button>
      </form>

      {fieldError ? (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          {fieldError}
        </p>
      ) : null}
      <ErrorAlert error={decide.error} title="Not answered" />
    </div>
  );
}
