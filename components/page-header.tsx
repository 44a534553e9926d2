import Link from "next/link";
import type { ReactNode } from "react";

/** The top of every panel page: where you are, what this is, and what you can do here. */
export function PageHeader({
  title,
  description,
  parent,
  actions,
}: {
  title: ReactNode;
  description?: ReactNode;
  parent?: { href: string; label: string };
  actions?: ReactNode;
}) {
  return (
    <div className="flex flex-wrap items-end justify-between gap-3">
      <div>
        {parent ? (
          <p className="text-sm text-zinc-500">
            <Link href={parent.href} className="hover:underline">
              {parent.label}
            </Link>{" "}
            /
          </p>
        ) : null}
        <h1 className="text-2xl font-semibold tracking-tight">{title}</h1>
        {description ? <p className="mt-1 text-sm text-zinc-500 dark:text-zinc-400">{description}</p> : null}
      </div>
      {actions ? <div className="flex flex-wrap items-center gap-2">{actions}</div> : null}
    </div>
  );
}
