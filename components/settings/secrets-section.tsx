"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useTRPC } from "@/components/trpc";
import { Card, QueryState, StatusMessage, useNow } from "@/components/ui";
import { SecretForm } from "./secret-form";
import { type SecretDeletion, SecretsTable } from "./secrets-table";

/**
 * The panel's secrets: the list (names, never values), a form to set one, delete with a confirm
 * step. `prefill` (from ?set=) fills the form's name, as the row's Set button does.
 */
export function SecretsSection({ prefill }: { prefill?: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const secrets = useQuery(trpc.secrets.list.queryOptions());
  const now = useNow(15_000);
  const [name, setName] = useState(prefill ?? "");
  const [saved, setSaved] = useState<string | null>(null);
  const [deleted, setDeleted] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const valueRef = useRef<HTMLInputElement>(null);

  // Come from an agent's "Set …" link: the name is filled, the value is what is left to type.
  useEffect(() => {
    if (prefill) valueRef.current?.focus();
  }, [prefill]);

  // An agent's readiness follows its secrets ("ready — no model"): its queries are looked at again.
  const settle = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.secrets.list.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.agents.pathKey() }),
    ]);

  const remove = useMutation(
    trpc.secrets.delete.mutationOptions({
      onSuccess: async (result, input) => {
        setConfirming(null);
        setDeleted(result.deleted ? `Deleted ${input.name}.` : `${input.name} was not set.`);
        await settle();
      },
    }),
  );

  const deletion: SecretDeletion = {
    confirming,
    pending: remove.isPending,
    error: remove.error,
    ask(secret) {
      remove.reset();
      setSaved(null);
      setDeleted(null);
      setConfirming(secret);
    },
    confirm: (secret) => remove.mutate({ name: secret }),
    cancel: () => setConfirming(null),
  };

  const choose = (secret: string) => {
    setName(secret);
    setSaved(null);
    setDeleted(null);
    valueRef.current?.focus();
  };

  const rows = secrets.data ?? [];
  return (
    <div id="secrets" className="scroll-mt-4">
      <Card title="Secrets">
        <div className="space-y-6">
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            Values are write-only: once saved, a value is never shown again; model keys are used only by the
            panel&apos;s model gateway and never enter a container, while any other secret a template gives as
            env can be read by that agent.
          </p>
          <div className="space-y-3">
            <QueryState
              query={secrets}
              errorTitle="Could not load the secrets"
              lines={4}
              empty="No secrets yet: set one below."
            >
              {(data) => <SecretsTable rows={data} now={now} onChoose={choose} deletion={deletion} />}
            </QueryState>
            <StatusMessage tone="ok">{deleted}</StatusMessage>
          </div>
          <section aria-labelledby="set-secret-heading" className="space-y-3">
            <h3 id="set-secret-heading" className="text-sm font-medium">
              Set a secret
            </h3>
            <SecretForm
              name={name}
              onNameChange={setName}
              knownNames={rows.map((row) => row.name)}
              isSet={(secret) => rows.some((row) => row.name === secret && row.set)}
              valueRef={valueRef}
              saved={saved}
              onSaved={(message) => {
                setSaved(message);
                setDeleted(null);
                if (message) void settle();
              }}
            />
          </section>
        </div>
      </Card>
    </div>
  );
}
