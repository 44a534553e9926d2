import { readFile, rm, statfs } from "node:fs/promises";
import { join } from "node:path";
import type { ClawPaths } from "../config";
import { writeFileAtomic } from "../fs/write-file-atomic";

/** How /sys/fs/cgroup is mounted: pure v2, v1 with a v2 "unified" side mount, v1 only. */
export type CgroupLayout = "v2" | "v1-hybrid" | "v1-legacy" | "unknown";

export type HostFacts = {
  cgroupLayout: CgroupLayout;
  /** Hard RLIMIT_NOFILE of this process (Podman inherits it); null = unlimited. */
  hardNofile: number | null;
  /** Hard RLIMIT_NPROC of this process; null = unlimited. */
  hardNproc: number | null;
  /** CAP_SYS_RESOURCE in the effective set: only then can a hard limit be raised. */
  canRaiseHardLimits: boolean;
  rootless: boolean;
  uid: number;
};

export type HostWorkaround = {
  needed: boolean;
  /** One sentence per problem found, saying what claw does about it. */
  reasons: string[];
  ulimits?: { nofile: number; nproc: number };
  runtime?: "runc";
  /** The containers.conf text to pass with CONTAINERS_CONF; set when needed. */
  conf?: string;
};

/** What rootful Podman asks for when no ulimit is given (define.RLimitDefaultValue). */
export const PODMAN_DEFAULT_RLIMIT = 1_048_576;

/**
 * Podman 4.3 lowers its own RLIMIT_NPROC to 32768 at start (seen with strace here), so runc,
 * its grandchild, can never set more than that without CAP_SYS_RESOURCE.
 */
export const PODMAN_NPROC_CEILING = 32_768;

const CAP_SYS_RESOURCE = 24n;
const CGROUP2_SUPER_MAGIC = 0x63677270;
const TMPFS_MAGIC = 0x01021994;

/** Pure: which containers.conf (if any) makes containers start on a host with these facts. */
export function decideHostWorkaround(facts: HostFacts): HostWorkaround {
  const reasons: string[] = [];
  let ulimits: HostWorkaround["ulimits"];
  let runtime: HostWorkaround["runtime"];

  // Rootless Podman already clamps its defaults to the current limits; rootful asks for 1048576.
  if (!facts.rootless && !facts.canRaiseHardLimits) {
    const nofile = Math.min(facts.hardNofile ?? PODMAN_DEFAULT_RLIMIT, PODMAN_DEFAULT_RLIMIT);
    const nproc = Math.min(facts.hardNproc ?? PODMAN_NPROC_CEILING, PODMAN_NPROC_CEILING);
    if (nofile < PODMAN_DEFAULT_RLIMIT || nproc < PODMAN_DEFAULT_RLIMIT) {
      ulimits = { nofile, nproc };
      reasons.push(
        `Hard limits are nofile=${formatLimit(facts.hardNofile)}, nproc=${formatLimit(facts.hardNproc)} and ` +
          `cannot be raised (no CAP_SYS_RESOURCE), while rootful Podman asks containers for ${PODMAN_DEFAULT_RLIMIT}: ` +
          `every container would fail with "setrlimit" errors. claw sets default ulimits nofile=${nofile}:${nofile}, ` +
          `nproc=${nproc}:${nproc}.`,
      );
    }
  }

  if (facts.cgroupLayout === "v1-hybrid" || facts.cgroupLayout === "v1-legacy") {
    runtime = "runc";
    const layout = facts.cgroupLayout === "v1-hybrid" ? "hybrid" : "legacy";
    reasons.push(
      `cgroups v1 (${layout}): crun refuses hybrid mode and runc is the runtime Podman supports best on v1; ` +
        `claw selects runc.`,
    );
  }

  if (!ulimits && !runtime) return { needed: false, reasons };
  return { needed: true, reasons, ulimits, runtime, conf: renderContainersConf({ ulimits, runtime }) };
}

/** Pure: the containers.conf text for the chosen settings. */
export function renderContainersConf(settings: Pick<HostWorkaround, "ulimits" | "runtime">): string {
  const lines = [
    "# Written by claw for the Podman service it starts (CONTAINERS_CONF); rewritten on every start.",
    "# With CONTAINERS_CONF set, Podman reads only this file, not /usr/share or /etc/containers.",
  ];
  if (settings.ulimits) {
    const { nofile, nproc } = settings.ulimits;
    lines.push(
      "",
      "[containers]",
      `default_ulimits = ["nofile=${nofile}:${nofile}", "nproc=${nproc}:${nproc}"]`,
    );
  }
  if (settings.runtime) {
    lines.push("", "[engine]", `runtime = "${settings.runtime}"`);
  }
  return `${lines.join("\n")}\n`;
}

/** Pure: hard nofile/nproc from the text of /proc/<pid>/limits; null = unlimited. */
export function parseProcLimits(text: string): { hardNofile: number | null; hardNproc: number | null } {
  const hardOf = (label: string): number | null => {
    const line = text.split("\n").find((l) => l.startsWith(label));
    if (!line) throw new Error(`"${label}" missing from /proc limits`);
    // Columns: name (may contain spaces), soft, hard, units.
    const fields = line.slice(label.length).trim().split(/\s+/);
    const hard = fields[1];
    if (hard === "unlimited") return null;
    const value = Number(hard);
    if (!Number.isSafeInteger(value)) throw new Error(`Unreadable hard limit "${hard}" for ${label}`);
    return value;
  };
  return { hardNofile: hardOf("Max open files"), hardNproc: hardOf("Max processes") };
}

/** Pure: whether CapEff in the text of /proc/<pid>/status holds CAP_SYS_RESOURCE. */
export function parseCanRaiseHardLimits(statusText: string): boolean {
  const match = /^CapEff:\s*([0-9a-fA-F]+)\s*$/m.exec(statusText);
  if (!match?.[1]) return false;
  return ((BigInt(`0x${match[1]}`) >> CAP_SYS_RESOURCE) & 1n) === 1n;
}

/** Pure: the layout from the filesystem types of /sys/fs/cgroup and /sys/fs/cgroup/unified. */
export function classifyCgroupLayout(rootType: number | null, unifiedType: number | null): CgroupLayout {
  if (rootType === CGROUP2_SUPER_MAGIC) return "v2";
  if (rootType !== TMPFS_MAGIC) return "unknown";
  return unifiedType === CGROUP2_SUPER_MAGIC ? "v1-hybrid" : "v1-legacy";
}

export type HostFactSources = {
  /** Defaults to /proc/self. */
  procSelf?: string;
  /** Defaults to /sys/fs/cgroup. */
  cgroupRoot?: string;
  uid?: number;
};

/** Edge: reads the facts from /proc and /sys for this process. */
export async function gatherHostFacts(sources: HostFactSources = {}): Promise<HostFacts> {
  const procSelf = sources.procSelf ?? "/proc/self";
  const cgroupRoot = sources.cgroupRoot ?? "/sys/fs/cgroup";
  const uid = sources.uid ?? process.geteuid?.() ?? 0;
  const [limitsText, statusText, rootType, unifiedType] = await Promise.all([
    readFile(join(procSelf, "limits"), "utf8"),
    readFile(join(procSelf, "status"), "utf8"),
    fsTypeOf(cgroupRoot),
    fsTypeOf(join(cgroupRoot, "unified")),
  ]);
  return {
    cgroupLayout: classifyCgroupLayout(rootType, unifiedType),
    ...parseProcLimits(limitsText),
    canRaiseHardLimits: parseCanRaiseHardLimits(statusText),
    rootless: uid !== 0,
    uid,
  };
}

/**
 * Edge: writes the workaround's containers.conf (0600, atomically) when needed and removes a
 * stale one when not, so the file on disk always matches the host. Returns its path when written.
 */
export async function applyHostWorkaround(
  paths: Pick<ClawPaths, "containersConf">,
  workaround: HostWorkaround,
): Promise<string | undefined> {
  if (!workaround.needed || !workaround.conf) {
    await rm(paths.containersConf, { force: true });
    return undefined;
  }
  await writeFileAtomic(paths.containersConf, workaround.conf, 0o600);
  return paths.containersConf;
}

function formatLimit(limit: number | null): string {
  return limit === null ? "unlimited" : String(limit);
}

async function fsTypeOf(path: string): Promise<number | null> {
  try {
    return (await statfs(path)).type;
  } catch {
    return null;
  }
}
