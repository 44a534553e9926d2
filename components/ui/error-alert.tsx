import { type ActionError, fixOf, readableError } from "./action-error";
import { Fix } from "./fix";

/**
 * A refused action or a failed load: the reason (a refused input's issues as sentences), and the
 * fix on its own line where there is one.
 */
export function ErrorAlert({ error, title }: { error: ActionError; title?: string }) {
  const readable = readableError(error);
  if (!readable) return null;
  const fix = fixOf(readable);
  return (
    <div
      role="alert"
      className="rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800 dark:border-red-900 dark:bg-red-950/40 dark:text-red-300"
    >
      {title ? <p className="font-medium">{title}</p> : null}
      <p className="whitespace-pre-wrap break-words">{readable.message}</p>
      {fix ? (
        <div className="mt-2 text-zinc-700 dark:text-zinc-300">
          <span className="font-medium">Fix:</span>
          <Fix command={fix} />
        </div>
      ) : null}
    </div>
  );
}
