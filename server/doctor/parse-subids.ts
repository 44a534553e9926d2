/** One line of /etc/subuid or /etc/subgid: `owner:start:count`. */
export type SubIdRange = { owner: string; start: number; count: number };

/** Pure: the ranges in a subuid/subgid file; comments, blanks and malformed lines are skipped. */
export function parseSubIdFile(text: string): SubIdRange[] {
  const ranges: SubIdRange[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const [owner, start, count, ...rest] = line.split(":");
    if (!owner || rest.length > 0 || !isCount(start) || !isCount(count)) continue;
    ranges.push({ owner, start: Number(start), count: Number(count) });
  }
  return ranges;
}

/** Pure: the ranges that belong to a user, named by login name or by numeric uid. */
export function subIdRangesFor(ranges: SubIdRange[], user: { name?: string; uid?: number }): SubIdRange[] {
  return ranges.filter(
    (r) => r.owner === user.name || (user.uid !== undefined && r.owner === String(user.uid)),
  );
}

export function totalCount(ranges: SubIdRange[]): number {
  return ranges.reduce((sum, r) => sum + r.count, 0);
}

function isCount(value: string | undefined): value is string {
  return value !== undefined && /^\d+$/.test(value);
}
