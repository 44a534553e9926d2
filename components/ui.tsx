import type { ReactNode } from "react";

export type Tone = "ok" | "warn" | "fail" | "neutral";

const toneClass: Record<Tone, string> = {
  ok: "bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300",
  warn: "bg-amber-100 text-amber-800 dark:bg-amber-950 dark:text-amber-300",
  fail: "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300",
  neutral: "bg-zinc-100 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300",
};

/** The header row of every table in the panel. */
const tableHeadClass =
  "border-b border-zinc-200 text-xs uppercase tracking-wide text-zinc-500 dark:border-zinc-800 dark:text-zinc-400";

/** A column heading: its label, or the label with how to show it. */
export type Column = string | { label: string; align?: "right"; srOnly?: boolean };

const actionsColumn: Column = { label: "Actions", srOnly: true };

/**
 * A table of the panel: a header row of `columns` (and, with `actions`, a last one for the row
 * buttons, named for screen readers only) over the rows given as `children`. It scrolls sideways
 * when too wide, unless `scroll` is false.
 */
export function DataTable({
  label,
  columns,
  actions = false,
  scroll = true,
  children,
}: {
  label: string;
  columns: Column[];
  actions?: boolean;
  scroll?: boolean;
  children: ReactNode;
}) {
  const heads = (actions ? [...columns, actionsColumn] : columns).map((column) =>
    typeof column === "string" ? { label: column } : column,
  );
  const table = (
    <table className="w-full text-left text-sm" aria-label={label}>
      <thead className={tableHeadClass}>
        <tr>
          {heads.map(({ label: heading, align, srOnly }, index) => (
            <th
              key={heading}
              // The last column needs no gap after it.
              className={`py-2 ${index < heads.length - 1 ? "pr-3 " : ""}${align === "right" ? "text-right " : ""}font-medium`}
            >
              {srOnly ? <span className="sr-only">{heading}</span> : heading}
            </th>
          ))}
        </tr>
      </thead>
      <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800/60">{children}</tbody>
    </table>
  );
  return scroll ? <div className="overflow-x-auto">{table}</div> : table;
}

export function Badge({ tone, children }: { tone: Tone; children: ReactNode }) {
  return (
    <span
      className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ${toneClass[tone]}`}
    >
      {children}
    </span>
  );
}

export function Card({
  title,
  action,
  children,
}: {
  title: string;
  action?: ReactNode;
  children: ReactNode;
}) {
  return (
    <section className="rounded-lg border border-zinc-200 bg-white p-5 shadow-sm dark:border-zinc-800 dark:bg-zinc-900">
      <div className="mb-4 flex items-center justify-between gap-3">
        <h2 className="text-sm font-semibold uppercase tracking-wide text-zinc-500 dark:text-zinc-400">
          {title}
        </h2>
        {action}
      </div>
      {children}
    </section>
  );
}

export function Facts({ rows }: { rows: [string, ReactNode][] }) {
  return (
    <dl className="grid grid-cols-[max-content_1fr] gap-x-6 gap-y-2 text-sm">
      {rows.map(([label, value]) => (
        <div key={label} className="contents">
          <dt className="text-zinc-500 dark:text-zinc-400">{label}</dt>
          <dd className="min-w-0 break-words">{value ?? "—"}</dd>
        </div>
      ))}
    </dl>
  );
}

export function Fix({ command }: { command: string }) {
  return (
    <pre className="mt-2 overflow-x-auto rounded-md bg-zinc-100 px-3 py-2 font-mono text-xs text-zinc-800 dark:bg-zinc-950 dark:text-zinc-200">
      {command}
    </pre>
  );
}

const skeletonWidths = ["90%", "78%", "66%", "84%", "72%", "60%", "88%", "70%"];

export function Skeleton({ lines = 4 }: { lines?: number }) {
  return (
    <div className="animate-pulse space-y-2" role="status" aria-label="Loading">
      {skeletonWidths.slice(0, lines).map((width) => (
        <div key={width} className="h-4 rounded bg-zinc-200 dark:bg-zinc-800" style={{ width }} />
      ))}
    </div>
  );
}

/** Over a followed output that the reader scrolled up in: back to the newest lines. */
export function JumpToLatestButton({ onClick }: { onClick: () => void }) {
  return (
    <button
      type="button"
      className="absolute right-4 bottom-3 rounded-md bg-emerald-600 px-2.5 py-1 text-xs font-medium text-white shadow hover:bg-emerald-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-emerald-600"
      onClick={onClick}
    >
      Jump to latest ↓
    </button>
  );
}
