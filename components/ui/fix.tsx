/** A command that fixes what went wrong, on its own line so it can be copied. */
export function Fix({ command }: { command: string }) {
  return (
    <pre className="mt-2 overflow-x-auto rounded-md bg-zinc-100 px-3 py-2 font-mono text-xs text-zinc-800 dark:bg-zinc-950 dark:text-zinc-200">
      {command}
    </pre>
  );
}
