"use client";

import { Badge } from "@/components/ui";
import type { AuditVerifyResult } from "./audit-types";

export function AuditVerifyReport({ result }: { result: AuditVerifyResult }) {
  if (result.ok) {
    return (
      <div
        role="status"
        className="rounded-md border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm dark:border-emerald-900 dark:bg-emerald-950/40"
      >
        <p className="font-medium">
          <Badge tone="ok">verified</Badge> The log is intact: {result.rows} events, {result.checkpoints}{" "}
          signed checkpoints.
        </p>
        <p className="mt-1 text-zinc-600 dark:text-zinc-400">
          Checked in {result.durationMs} ms. {result.uncoveredRows} newest events are after the last
          checkpoint (size {result.lastCheckpointSize}) and protected by the chain alone until the next one.
        </p>
      </div>
    );
  }
  const [first, ...rest] = result.problems;
  return (
    <div
      role="alert"
      className="rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm dark:border-red-900 dark:bg-red-950/40"
    >
      <p className="font-medium">
        <Badge tone="fail">tampered</Badge> {first?.message}
      </p>
      {rest.length > 0 ? (
        <ul className="mt-2 list-disc space-y-1 pl-5 text-zinc-700 dark:text-zinc-300">
          {rest.map((problem) => (
            <li key={problem.message}>{problem.message}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
