import { Fix } from "@/components/ui";

/** The shape of a tRPC client error as far as the UI needs it: what went wrong and what to do. */
export type ActionError = { message: string; data?: unknown } | null | undefined;

export function fixOf(error: ActionError): string | undefined {
  const data = error?.data;
  if (data && typeof data === "object" && "fix" in data && typeof data.fix === "string") return data.fix;
  return undefined;
}

/** A refused action: the reason, and the fix on its own line where there is one. */
export function ErrorAlert({ error, title }: { error: ActionError; title?: string }) {
  if (!error) return null;
  const fix = fixOf(error);
  return (
    <div
      role="alert"
      className="rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800 dark:border-red-900 dark:bg-red-950/40 dark:text-red-300"
    >
      {title ? <p className="font-medium">{title}</p> : null}
      <p className="whitespace-pre-wrap break-words">{error.message}</p>
      {fix ? (
        <div className="mt-2 text-zinc-700 dark:text-zinc-300">
          <span className="font-medium">Fix:</span>
          <Fix command={fix} />
        </div>
      ) : null}
    </div>
  );
}
