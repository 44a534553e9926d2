const skeletonWidths = ["90%", "78%", "66%", "84%", "72%", "60%", "88%", "70%"];

/** Grey bars where text will be, announced as "Loading". */
export function Skeleton({ lines = 4 }: { lines?: number }) {
  return (
    <div className="animate-pulse space-y-2" role="status" aria-label="Loading">
      {skeletonWidths.slice(0, lines).map((width) => (
        <div key={width} className="h-4 rounded bg-zinc-200 dark:bg-zinc-800" style={{ width }} />
      ))}
    </div>
  );
}
