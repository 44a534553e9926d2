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
