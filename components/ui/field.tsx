import type { ReactNode } from "react";
import { helpClass } from "./classes";

/** The id of a field's help line: the control names it in `aria-describedby`. */
export const helpIdOf = (id: string) => `${id}-help`;

/**
 * A form control under its label, with a help line under it when there is `help`. `children` is
 * the control: it carries `id`, and `aria-describedby={helpIdOf(id)}` when there is help. An
 * `invalid` field's help reads red.
 */
export function Field({
  id,
  label,
  help,
  invalid = false,
  className,
  children,
}: {
  id: string;
  label: ReactNode;
  help?: ReactNode;
  invalid?: boolean;
  className?: string;
  children: ReactNode;
}) {
  return (
    <div className={className}>
      <label htmlFor={id} className="mb-1 block text-sm font-medium">
        {label}
      </label>
      {children}
      {help ? (
        <span
          id={helpIdOf(id)}
          className={invalid ? "mt-1 block text-xs text-red-700 dark:text-red-400" : helpClass}
        >
          {help}
        </span>
      ) : null}
    </div>
  );
}
