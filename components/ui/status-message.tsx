import type { ReactNode } from "react";

const toneClass = {
  neutral: "text-zinc-700 dark:text-zinc-300",
  ok: "text-emerald-700 dark:text-emerald-400",
};

/** What an action did ("Saved.", "Revoked: …"), announced politely; nothing while there is none. */
export function StatusMessage({
  tone = "neutral",
  children,
}: {
  tone?: keyof typeof toneClass;
  children: ReactNode;
}) {
  if (!children) return null;
  return (
    <p role="status" className={`text-sm ${toneClass[tone]}`}>
      {children}
    </p>
  );
}
