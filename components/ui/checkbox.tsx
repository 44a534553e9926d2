import type { ReactNode } from "react";

/** A checkbox inside its label (`children`); `onChange` gets whether it is now ticked. */
export function Checkbox({
  checked,
  onChange,
  describedBy,
  className = "",
  children,
}: {
  checked: boolean;
  onChange: (checked: boolean) => void;
  describedBy?: string;
  className?: string;
  children: ReactNode;
}) {
  return (
    <label className={`flex items-center gap-2 ${className}`}>
      <input
        type="checkbox"
        checked={checked}
        onChange={(event) => onChange(event.target.checked)}
        aria-describedby={describedBy}
      />
      {children}
    </label>
  );
}
