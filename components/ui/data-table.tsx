import type { ReactNode } from "react";

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
  return scroll ? <div className="relative overflow-x-auto">{table}</div> : table;
}
