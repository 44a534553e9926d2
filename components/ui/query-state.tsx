import type { ReactNode } from "react";
import type { ActionError } from "./action-error";
import { ErrorAlert } from "./error-alert";
import { Skeleton } from "./skeleton";

/** What QueryState reads of a query: a TanStack query result fits, or `{ data, error }` derived from one. */
export type QueryLike<T> = { data: T | undefined; error: ActionError };

const isEmptyList = (data: unknown) => Array.isArray(data) && data.length === 0;

/**
 * The ladder of a view of loaded data: the error (with its fix) if the load failed, else a skeleton
 * until the data is there, else `empty` when there is nothing to show, else `children(data)`.
 */
export function QueryState<T>({
  query,
  errorTitle,
  lines,
  loading,
  empty,
  isEmpty = isEmptyList,
  children,
}: {
  query: QueryLike<T>;
  /** Above the error's message: what could not be done ("Could not load jobs"). */
  errorTitle?: string;
  /** How many skeleton lines stand in while loading. */
  lines?: number;
  /** Shown instead of the skeleton while loading. */
  loading?: ReactNode;
  /** Said, as a muted note, when `isEmpty(data)`; without it, empty data goes to `children` like any other. */
  empty?: ReactNode;
  /** When the data counts as empty; by default, when it is an empty list. */
  isEmpty?: (data: T) => boolean;
  children: (data: T) => ReactNode;
}) {
  if (query.error) return <ErrorAlert error={query.error} title={errorTitle} />;
  if (query.data === undefined) return loading ?? <Skeleton lines={lines} />;
  if (empty !== undefined && isEmpty(query.data))
    return <div className="text-sm text-zinc-500 dark:text-zinc-400">{empty}</div>;
  return children(query.data);
}
