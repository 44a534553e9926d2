export function ArtifactView({
  title,
  value,
  open = false,
}: {
  title: string;
  value: unknown;
  open?: boolean;
}) {
  const text = typeof value === "string" ? value : JSON.stringify(value, null, 2);
  return (
    <details open={open} className="rounded-md border border-zinc-200 dark:border-zinc-800">
      <summary className="cursor-pointer select-none px-3 py-2 font-mono text-sm hover:bg-zinc-50 dark:hover:bg-zinc-800/50">
        {title}
      </summary>
      <pre className="max-h-96 overflow-auto border-t border-zinc-200 bg-zinc-50 p-3 font-mono text-xs dark:border-zinc-800 dark:bg-zinc-950">
        {text}
      </pre>
    </details>
  );
}
