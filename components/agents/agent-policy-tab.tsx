"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ArtifactView } from "@/components/policy/artifact-view";
import { ExplanationView } from "@/components/policy/explanation-view";
import { useTRPC } from "@/components/trpc";
import { Badge, buttonClass, Card, ConfirmDialog, ErrorAlert, Skeleton } from "@/components/ui";

/** What the agent may do, the signed lock and the compiled artifacts; validate and re-lock. */
export function AgentPolicyTab({ name }: { name: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const policy = useQuery(trpc.agents.policy.queryOptions({ name }));
  const [confirmRelock, setConfirmRelock] = useState(false);
  const validate = useMutation(trpc.agents.validate.mutationOptions());
  const relock = useMutation(
    trpc.agents.relock.mutationOptions({
      onSuccess: async () => {
        setConfirmRelock(false);
        await queryClient.invalidateQueries({ queryKey: trpc.agents.policy.queryKey({ name }) });
        await queryClient.invalidateQueries({ queryKey: trpc.agents.list.queryKey() });
        validate.mutate({ name });
      },
    }),
  );
  const verdict = validate.data;

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          A start is refused unless the artifacts, template and image match this signed lock.
        </p>
        <div className="flex gap-2">
          <button
            type="button"
            className={buttonClass}
            onClick={() => validate.mutate({ name })}
            disabled={validate.isPending}
          >
            {validate.isPending ? "Validating…" : "Validate"}
          </button>
          <button
            type="button"
            className={buttonClass}
            onClick={() => setConfirmRelock(true)}
            disabled={relock.isPending}
          >
            Re-lock
          </button>
        </div>
      </div>

      <ErrorAlert error={policy.error} title="Could not read the policy" />

      {confirmRelock ? (
        <ConfirmDialog
          label="Confirm re-lock"
          confirmLabel="Re-lock now"
          pendingLabel="Re-locking…"
          pending={relock.isPending}
          onConfirm={() => relock.mutate({ name })}
          onCancel={() => setConfirmRelock(false)}
          danger={false}
          error={relock.error}
        >
          <p>
            Re-lock compiles the template and image <strong>as they are now</strong>, overwrites this
            agent&apos;s artifacts and signs a new lock. Anything edited by hand is replaced. The change is
            recorded in the audit log.
          </p>
        </ConfirmDialog>
      ) : null}

      {verdict ? (
        <div
          role="status"
          className={`rounded-md border px-4 py-3 text-sm ${verdict.state === "ok" ? "border-emerald-200 bg-emerald-50 dark:border-emerald-900 dark:bg-emerald-950/40" : "border-red-200 bg-red-50 dark:border-red-900 dark:bg-red-950/40"}`}
        >
          <p className="font-medium">
            <Badge tone={verdict.state === "ok" ? "ok" : "fail"}>{verdict.state}</Badge>{" "}
            {verdict.state === "ok"
              ? "The artifacts, template and image match the signed lock."
              : "The policy does not match its lock."}
          </p>
          {verdict.findings.length > 0 ? (
            <ul className="mt-2 list-disc space-y-1 pl-5">
              {verdict.findings.map((finding) => (
                <li key={finding.message}>{finding.message}</li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}

      <div className="grid gap-6 lg:grid-cols-2">
        <Card title="What it can and cannot do">
          {policy.data?.explanation ? (
            <ExplanationView explanation={policy.data.explanation} />
          ) : policy.data ? (
            <p className="text-sm">The artifacts cannot be read: validate to see what is wrong.</p>
          ) : (
            <Skeleton lines={8} />
          )}
        </Card>
        <Card title="Signed lock">
          {policy.data?.lockPayload ? (
            <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1.5 text-sm">
              <dt className="text-zinc-500">Template</dt>
              <dd>
                {policy.data.lockPayload.template.name} ({policy.data.lockPayload.template.source})
              </dd>
              <dt className="text-zinc-500">Image</dt>
              <dd className="break-all font-mono text-xs">
                {policy.data.lockPayload.image.ref} @ {policy.data.lockPayload.image.digest}
              </dd>
              <dt className="text-zinc-500">Locked</dt>
              <dd>{new Date(policy.data.lockPayload.lockedAt).toLocaleString()}</dd>
              <dt className="text-zinc-500">Previous lock</dt>
              <dd className="break-all font-mono text-xs">
                {policy.data.lockPayload.previousLockDigest ?? "none (first lock)"}
              </dd>
              <dt className="text-zinc-500">Signed by</dt>
              <dd className="break-all font-mono text-xs">{policy.data.lockPayload.keyId}</dd>
            </dl>
          ) : policy.data ? (
            <p className="text-sm text-red-700 dark:text-red-400">
              The lock is missing or its signature does not verify.
            </p>
          ) : (
            <Skeleton lines={5} />
          )}
        </Card>
      </div>
      {policy.data ? (
        <Card title="Artifacts">
          <div className="space-y-3">
            <ArtifactView title="openclaw.json" value={policy.data.openclawJson ?? "(missing)"} />
            <ArtifactView title="container-spec.json" value={policy.data.containerSpecJson ?? "(missing)"} />
            <ArtifactView
              title="template.yaml (snapshot)"
              value={policy.data.templateSnapshot ?? "(missing)"}
            />
            <ArtifactView title="policy.lock.json" value={policy.data.lock ?? "(missing)"} />
          </div>
        </Card>
      ) : null}
    </div>
  );
}
