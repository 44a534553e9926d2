import { readFile } from "node:fs/promises";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import type { Libpod } from "../podman/libpod";
import type { IdMapping } from "../podman/libpod-create-body";

export const agentIdRangeSize = 65_536;

/** Pure: the `containers` line of /etc/subuid (the range setup adds for rootful user namespaces). */
export function parseContainersRange(subuid: string): { start: number; count: number } | undefined {
  for (const line of subuid.split("\n")) {
    const [user, start, count] = line.trim().split(":");
    if (user === "containers" && start && count) return { start: Number(start), count: Number(count) };
  }
  return undefined;
}

/**
 * Pure: the highest free slot. Ranges are taken from the top of the `containers` range down, so
 * they stay clear of Podman's own `--userns=auto`, which allocates from the bottom.
 */
export function pickIdBase(range: { start: number; count: number }, taken: Set<number>): number | undefined {
  const slots = Math.floor(range.count / agentIdRangeSize);
  for (let slot = 1; slot <= slots; slot++) {
    const base = range.start + range.count - slot * agentIdRangeSize;
    if (!taken.has(base)) return base;
  }
  return undefined;
}

/**
 * Edge: the agent's range, allocated on its first rootful start and kept for its life. `inUse`
 * holds the ranges of other containers on this Podman (other panels' agents share the host's
 * `containers` range): a range one of them holds now is given up for a free one.
 */
export async function agentIdMapping(
  db: Db,
  name: string,
  inUse: Set<number>,
  subuidPath = "/etc/subuid",
): Promise<IdMapping> {
  const agent = await db.agent.findUniqueOrThrow({ where: { name } });
  if (agent.idBase !== null && !inUse.has(agent.idBase))
    return { hostBase: agent.idBase, size: agentIdRangeSize };
  const range = parseContainersRange(await readFile(subuidPath, "utf8").catch(() => ""));
  if (!range) {
    throw new AppError("PRECONDITION_FAILED", `No "containers" range in ${subuidPath}`, {
      fix: "Run `npm start` as root once (setup adds it), or add `containers:2147483647:2147483648` to /etc/subuid and /etc/subgid.",
    });
  }
  const rows = await db.agent.findMany({ where: { idBase: { not: null } }, select: { idBase: true } });
  const base = pickIdBase(range, new Set([...rows.map((row) => row.idBase as number), ...inUse]));
  if (base === undefined) {
    throw new AppError("PRECONDITION_FAILED", `The "containers" range in ${subuidPath} is full`, {
      fix: "Delete agents you no longer need, or give the containers range more ids.",
    });
  }
  // The unique index turns a race between two first starts into an error instead of a shared range.
  await db.agent.update({ where: { name }, data: { idBase: base } });
  return { hostBase: base, size: agentIdRangeSize };
}

/** Pure: the host id a "0:HOST:SIZE" uid map starts at. */
export function hostBaseOf(uidMap: string[] | undefined): number | undefined {
  const match = /^0:(\d+):\d+$/.exec(uidMap?.[0] ?? "");
  return match?.[1] ? Number(match[1]) : undefined;
}

/** The id ranges claw containers other than `except` hold now, across every CLAW_HOME on this Podman. */
export async function idRangesInUse(libpod: Libpod, except: string): Promise<Set<number>> {
  const bases = new Set<number>();
  for (const container of await libpod.listContainers("claw.agent")) {
    if (container.Names.includes(except)) continue;
    const live = await libpod.inspectContainer(container.Id);
    const base = hostBaseOf(live?.HostConfig.IDMappings?.UidMap);
    if (base !== undefined) bases.add(base);
  }
  return bases;
}
