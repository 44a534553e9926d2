/**
 * The tab a key moves to in a tab list (WAI-ARIA tabs): the arrows step round, Home and End go to
 * the ends; any other key moves nowhere (undefined).
 */
export function tabKeyTarget<T>(tabs: readonly T[], index: number, key: string): T | undefined {
  if (key === "ArrowRight") return tabs[(index + 1) % tabs.length];
  if (key === "ArrowLeft") return tabs[(index - 1 + tabs.length) % tabs.length];
  if (key === "Home") return tabs[0];
  if (key === "End") return tabs.at(-1);
  return undefined;
}
