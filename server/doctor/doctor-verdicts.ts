import type { CgroupLayout } from "../podman/host-workarounds";
import type { PodmanStatus } from "../podman/podman-service";
import { INSTALL_PODMAN_FIX } from "../podman/start-podman-service";
import { type SubIdRange, subIdRangesFor, totalCount } from "./parse-subids";

export type DoctorStatus = "ok" | "warn" | "fail";

export type DoctorCheck = {
  id: string;
  title: string;
  status: DoctorStatus;
  detail: string;
  /** A command (or short instruction) that fixes a "warn" or "fail". */
  fix?: string;
};

/** A range big enough for one container with a full 16-bit UID space. */
const ONE_CONTAINER_IDS = 65_536;

/** The `containers` range rootful `--userns=auto` allocates from (what setup writes). */
const CONTAINERS_SUBID_LINE = "containers:2147483647:2147483648";

/** Controllers a rootless user needs delegated on cgroups v2 for claw's limits. */
const NEEDED_CONTROLLERS = ["memory", "pids", "cpu"];

export type PodmanBinaryFacts = { path?: string; versionOutput?: string; error?: string };

export function verdictPodmanBinary(facts: PodmanBinaryFacts): DoctorCheck {
  const base = { id: "podman-binary", title: "Podman installed" };
  if (!facts.path) {
    return { ...base, status: "fail", detail: "No podman binary on PATH.", fix: INSTALL_PODMAN_FIX };
  }
  if (!facts.versionOutput) {
    return {
      ...base,
      status: "fail",
      detail: `${facts.path} did not report a version: ${facts.error ?? "no output"}.`,
      fix: `Reinstall Podman: ${INSTALL_PODMAN_FIX}`,
    };
  }
  const version = /(\d+)\.(\d+)\.(\d+)/.exec(facts.versionOutput);
  const major = Number(version?.[1] ?? 0);
  const text = version?.[0] ?? facts.versionOutput.trim();
  if (major < 4) {
    return {
      ...base,
      status: "fail",
      detail: `Podman ${text} at ${facts.path} is too old: claw needs the libpod v4 API (Podman 4.0 or newer).`,
      fix: "Upgrade Podman to 4.0 or newer (Debian 12 ships 4.3.1): apt-get install -y podman",
    };
  }
  return { ...base, status: "ok", detail: `Podman ${text} at ${facts.path}.` };
}

export function verdictPodmanSocket(status: PodmanStatus): DoctorCheck {
  const base = { id: "podman-socket", title: "Podman API socket" };
  if (!status.reachable) {
    return {
      ...base,
      status: "fail",
      detail: status.error?.message ?? "Podman is not reachable.",
      fix: status.error?.fix ?? "podman info",
    };
  }
  const where = `${status.socketPath} (${describeSource(status.source)})`;
  // A CONTAINER_HOST/DOCKER_HOST the user set but claw could not use deserves attention.
  const ignored = (status.skipped ?? []).filter(
    (s) => s.source === "CONTAINER_HOST" || s.source === "DOCKER_HOST",
  );
  if (ignored.length > 0) {
    return {
      ...base,
      status: "warn",
      detail: `Using ${where}; passed over: ${ignored.map((s) => `${s.source}: ${s.error}`).join("; ")}.`,
      fix: `unset ${ignored.map((s) => s.source).join(" ")} (or point it at a local unix:// Podman socket) and restart claw`,
    };
  }
  return { ...base, status: "ok", detail: `Answering at ${where}.` };
}

export function verdictPodmanMode(status: PodmanStatus, uid: number): DoctorCheck {
  const base = { id: "podman-mode", title: "Rootless or rootful" };
  if (!status.reachable || status.rootless === undefined) {
    return {
      ...base,
      status: "warn",
      detail: "Unknown: Podman is not reachable.",
      fix: "Fix the Podman API socket check first.",
    };
  }
  if (status.rootless) {
    return {
      ...base,
      status: "ok",
      detail: `Rootless (uid ${uid}): containers run inside this user's namespace; agents get keep-id.`,
    };
  }
  if (uid !== 0) {
    return {
      ...base,
      status: "warn",
      detail: `claw runs as uid ${uid} but talks to rootful Podman at ${status.socketPath}: containers run as root-owned.`,
      fix: "Use your own rootless socket: unset CONTAINER_HOST DOCKER_HOST and restart claw",
    };
  }
  return {
    ...base,
    status: "ok",
    detail: "Rootful: each container gets its own unprivileged UID range (--userns=auto).",
  };
}

export type CgroupFacts = { layout: CgroupLayout; rootless: boolean };

export function verdictCgroups(facts: CgroupFacts, status: PodmanStatus): DoctorCheck {
  const base = { id: "cgroups", title: "cgroups" };
  const reported = status.cgroupVersion ? ` (Podman reports ${status.cgroupVersion})` : "";
  if (facts.layout === "unknown") {
    return {
      ...base,
      status: "warn",
      detail: `/sys/fs/cgroup is neither cgroup2 nor a v1 tmpfs${reported}: memory, CPU and pids limits may not apply.`,
      fix: "mount | grep cgroup   # check how cgroups are mounted on this host",
    };
  }
  if (facts.layout === "v2") {
    if (!facts.rootless)
      return { ...base, status: "ok", detail: `cgroups v2${reported}: limits are enforced.` };
    const controllers = status.cgroupControllers;
    if (!controllers) {
      return {
        ...base,
        status: "warn",
        detail:
          "cgroups v2, rootless: could not read which controllers are delegated (Podman not reachable).",
        fix: "Fix the Podman API socket check first.",
      };
    }
    const missing = NEEDED_CONTROLLERS.filter((c) => !controllers.includes(c));
    if (missing.length === 0) {
      return {
        ...base,
        status: "ok",
        detail: `cgroups v2, rootless, delegated: ${controllers.join(", ")}; limits are enforced.`,
      };
    }
    return {
      ...base,
      status: "warn",
      detail:
        `cgroups v2, rootless, but ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} not delegated ` +
        `to this user: those limits are ignored.`,
      fix:
        "mkdir -p /etc/systemd/system/user@.service.d && printf '[Service]\\nDelegate=cpu cpuset io memory pids\\n' " +
        "> /etc/systemd/system/user@.service.d/delegate.conf && systemctl daemon-reload   # then log in again",
    };
  }
  const layout = facts.layout === "v1-hybrid" ? "v1 (hybrid)" : "v1 (legacy)";
  if (!facts.rootless) {
    return { ...base, status: "ok", detail: `cgroups ${layout}: limits are enforced (rootful).` };
  }
  return {
    ...base,
    status: "warn",
    detail: `cgroups ${layout}, rootless: memory, CPU and pids limits are silently ignored.`,
    fix:
      "Switch to cgroups v2 (add systemd.unified_cgroup_hierarchy=1 to GRUB_CMDLINE_LINUX in /etc/default/grub, " +
      "update-grub, reboot), or run claw as root so rootful Podman enforces limits.",
  };
}

export function verdictOciRuntime(layout: CgroupLayout, status: PodmanStatus): DoctorCheck {
  const base = { id: "oci-runtime", title: "OCI runtime" };
  if (!status.reachable || !status.ociRuntime) {
    return {
      ...base,
      status: "warn",
      detail: "Unknown: Podman is not reachable.",
      fix: "Fix the Podman API socket check first.",
    };
  }
  const v1 = layout === "v1-hybrid" || layout === "v1-legacy";
  if (v1 && status.ociRuntime !== "runc") {
    return {
      ...base,
      status: "fail",
      detail: `Podman uses ${status.ociRuntime} on cgroups v1, where crun refuses hybrid mode: containers will not start.`,
      fix:
        status.source === "panel"
          ? "apt-get install -y runc   # then restart claw; its containers.conf selects runc"
          : "apt-get install -y runc, then stop the Podman service in use so claw starts its own with runc",
    };
  }
  return { ...base, status: "ok", detail: `${status.ociRuntime}${v1 ? " (needed on cgroups v1)" : ""}.` };
}

export function verdictHostWorkaround(status: PodmanStatus): DoctorCheck {
  const base = { id: "host-workaround", title: "ulimit / runtime workaround" };
  const w = status.workaround;
  if (!w.needed) {
    return {
      ...base,
      status: w.note ? "warn" : "ok",
      detail: w.note ?? "Not needed on this host: Podman's defaults work here.",
      fix: w.note ? "cat /proc/self/limits; ls /sys/fs/cgroup" : undefined,
    };
  }
  const why = w.reasons.join(" ");
  if (w.active) return { ...base, status: "ok", detail: `Active (${w.confPath}). ${why}` };
  const conf = w.confPath ?? "<CLAW_HOME>/containers.conf";
  if (!status.reachable) {
    return {
      ...base,
      status: "warn",
      detail: `Needed, not in use yet (Podman is not reachable). ${why}`,
      fix: "Fix the Podman API socket check first; claw applies the workaround to the service it starts.",
    };
  }
  return {
    ...base,
    status: "warn",
    detail: `${w.note ?? "Needed but not applied to the Podman service in use."} ${why}`,
    fix:
      `Stop the service at ${status.socketPath} so claw starts its own, or restart it as ` +
      `CONTAINERS_CONF=${conf} podman system service --time=0 unix://${status.socketPath}`,
  };
}

export type SubIdFacts = {
  rootless: boolean;
  user: { name?: string; uid: number };
  subuid: SubIdRange[];
  subgid: SubIdRange[];
};

export function verdictSubIds(facts: SubIdFacts): DoctorCheck {
  const base = { id: "subids", title: "Subordinate UIDs and GIDs" };
  if (!facts.rootless) {
    const uidCount = totalCount(subIdRangesFor(facts.subuid, { name: "containers" }));
    const gidCount = totalCount(subIdRangesFor(facts.subgid, { name: "containers" }));
    const missing = [
      uidCount === 0 ? "/etc/subuid" : undefined,
      gidCount === 0 ? "/etc/subgid" : undefined,
    ].filter((f): f is string => f !== undefined);
    if (missing.length > 0) {
      return {
        ...base,
        status: "fail",
        detail: `No "containers" range in ${missing.join(" and ")}: rootful --userns=auto cannot give containers their own UIDs.`,
        fix: `echo ${CONTAINERS_SUBID_LINE} | tee -a ${missing.join(" ")}`,
      };
    }
    if (Math.min(uidCount, gidCount) < ONE_CONTAINER_IDS) {
      return {
        ...base,
        status: "warn",
        detail: `The "containers" range holds ${Math.min(uidCount, gidCount)} IDs: not enough for one container (${ONE_CONTAINER_IDS}).`,
        fix: `Replace the containers lines in /etc/subuid and /etc/subgid with ${CONTAINERS_SUBID_LINE}`,
      };
    }
    return {
      ...base,
      status: "ok",
      detail: `"containers" has ${uidCount} UIDs and ${gidCount} GIDs for --userns=auto.`,
    };
  }

  const who = facts.user.name ?? String(facts.user.uid);
  const uidCount = totalCount(subIdRangesFor(facts.subuid, facts.user));
  const gidCount = totalCount(subIdRangesFor(facts.subgid, facts.user));
  const fix = `usermod --add-subuids 100000-165535 --add-subgids 100000-165535 ${who} && podman system migrate`;
  if (uidCount === 0 || gidCount === 0) {
    const missing = [
      uidCount === 0 ? "/etc/subuid" : undefined,
      gidCount === 0 ? "/etc/subgid" : undefined,
    ].filter((f): f is string => f !== undefined);
    return {
      ...base,
      status: "fail",
      detail: `No entry for ${who} in ${missing.join(" and ")}: rootless Podman cannot map container users.`,
      fix: `${fix}   # as root`,
    };
  }
  if (Math.min(uidCount, gidCount) < ONE_CONTAINER_IDS) {
    return {
      ...base,
      status: "warn",
      detail: `${who} has ${uidCount} subordinate UIDs and ${gidCount} GIDs; images that use high UIDs need ${ONE_CONTAINER_IDS}.`,
      fix: `${fix}   # as root`,
    };
  }
  return { ...base, status: "ok", detail: `${who} has ${uidCount} subordinate UIDs and ${gidCount} GIDs.` };
}

function describeSource(source: PodmanStatus["source"]): string {
  switch (source) {
    case "panel":
      return "started by claw";
    case "user":
      return "this user's rootless socket";
    case "system":
      return "the system socket";
    case undefined:
      return "unknown";
    default:
      return `from ${source}`;
  }
}
