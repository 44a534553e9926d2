"use client";

import { useMutation } from "@tanstack/react-query";
import { type FormEvent, type RefObject, useId, useState } from "react";
import { useTRPC } from "@/components/trpc";
import {
  ConfirmDialog,
  ErrorAlert,
  Field,
  fieldClass,
  helpIdOf,
  primaryButtonClass,
  StatusMessage,
} from "@/components/ui";

/**
 * Sets a secret by name. The value field is a password field, emptied once saved: nothing puts a
 * value back into it. Saving over a value that is set asks first, since the old one is gone after.
 */
export function SecretForm({
  name,
  onNameChange,
  knownNames,
  isSet,
  valueRef,
  saved,
  onSaved,
}: {
  name: string;
  onNameChange: (name: string) => void;
  /** Offered as the name is typed. */
  knownNames: string[];
  isSet: (name: string) => boolean;
  valueRef: RefObject<HTMLInputElement | null>;
  /** What the last save did ("Saved …"), said under the form. */
  saved: string | null;
  onSaved: (message: string | null) => void;
}) {
  const id = useId();
  const trpc = useTRPC();
  const [value, setValue] = useState("");
  const [confirmReplace, setConfirmReplace] = useState(false);
  const set = useMutation(trpc.secrets.set.mutationOptions());
  const trimmed = name.trim();
  const replacing = isSet(trimmed);

  const save = () => {
    set.mutate(
      { name: trimmed, value },
      {
        onSuccess: () => {
          setValue("");
          onSaved(`${replacing ? "Replaced" : "Saved"} ${trimmed}.`);
        },
        onSettled: () => setConfirmReplace(false),
      },
    );
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!trimmed || !value.trim()) return;
    onSaved(null);
    if (replacing && !confirmReplace) {
      setConfirmReplace(true);
      return;
    }
    save();
  };

  return (
    <form onSubmit={submit} aria-label="Set a secret" className="space-y-4">
      <div className="grid gap-4 sm:grid-cols-[minmax(0,1fr)_minmax(0,2fr)]">
        <Field
          id={`${id}-name`}
          label="Name"
          help="Lowercase letters, digits and '-', starting with a letter (anthropic-api-key)."
        >
          <input
            id={`${id}-name`}
            value={name}
            onChange={(event) => {
              onNameChange(event.target.value);
              setConfirmReplace(false);
            }}
            list={`${id}-names`}
            required
            maxLength={100}
            autoComplete="off"
            spellCheck={false}
            aria-describedby={helpIdOf(`${id}-name`)}
            className={`font-mono ${fieldClass}`}
          />
          <datalist id={`${id}-names`}>
            {knownNames.map((known) => (
              <option key={known} value={known} />
            ))}
          </datalist>
        </Field>
        <Field
          id={`${id}-value`}
          label="Value"
          help={
            replacing
              ? `${trimmed} is set: a value saved here replaces it.`
              : "Stored 0600 in CLAW_HOME/secrets; it is not shown again."
          }
        >
          <input
            id={`${id}-value`}
            ref={valueRef}
            type="password"
            value={value}
            onChange={(event) => setValue(event.target.value)}
            required
            autoComplete="new-password"
            spellCheck={false}
            aria-describedby={helpIdOf(`${id}-value`)}
            className={`font-mono ${fieldClass}`}
          />
        </Field>
      </div>
      {confirmReplace ? (
        <ConfirmDialog
          label={`Confirm replacing ${trimmed}`}
          confirmLabel={`Replace ${trimmed}`}
          pendingLabel="Saving…"
          pending={set.isPending}
          onConfirm={save}
          onCancel={() => setConfirmReplace(false)}
          danger={false}
        >
          <p>
            <strong>{trimmed} is set.</strong> The value saved now replaces it for good. The model gateway
            uses the new one from its next request; an agent given it as env sees it after a restart.
          </p>
        </ConfirmDialog>
      ) : (
        <button
          type="submit"
          className={primaryButtonClass}
          disabled={!trimmed || !value.trim() || set.isPending}
        >
          {set.isPending ? "Saving…" : "Save"}
        </button>
      )}
      <ErrorAlert error={set.error} title={`Could not save ${trimmed || "the secret"}`} />
      <StatusMessage tone="ok">{saved}</StatusMessage>
    </form>
  );
}
