import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { ContainerSpec } from "../policy/compile-container-spec";
import type { IdMapping } from "./libpod-create-body";
import type { LibpodInspect } from "./libpod-types";

/** What the kernel says about the container's main process, read by the host from /proc/<pid>. */
export type ProcessFacts = {
  /** Host uid of the process (status `Uid:`, real). */
  hostUid: number;
  capEff: bigint;
  capBnd: bigint;
  noNewPrivs: boolean;
  /** 2 = seccomp filter mode. */
  seccompMode: number;
  /** Lines of /proc/<pid>/uid_map, whitespace-normalised: "0 2147418112 65536". */
  uidMap: string[];
  /** mount point → { fstype, options } from /proc/<pid>/mountinfo, as the container sees them. */
  mounts: Map<string, { fsType: string; options: string[] }>;
};

export type ConformanceFinding = { setting: string; expected: string; actual: string };

/** Pure: parses /proc/<pid>/status, uid_map and mountinfo. */
export function parseProcessFacts(status: string, uidMap: string, mountinfo: string): ProcessFacts {
  const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, "m").exec(status)?.[1]?.trim() ?? "";
  const mounts = new Map<string, { fsType: string; options: string[] }>();
  for (const line of mountinfo.split("\n")) {
    // id parent major:minor root mountpoint options [optional…] - fstype source superoptions
    const [left, right] = line.split(" - ");
    if (!left || !right) continue;
    const parts = left.split(" ");
    const [fsType, , superOptions] = right.split(" ");
    const mountPoint = parts[4];
    if (!mountPoint || !fsType) continue;
    mounts.set(unescapeMountPath(mountPoint), {
      fsType,
      options: [...(parts[5] ?? "").split(","), ...(superOptions ?? "").split(",")],
    });
  }
  return {
    hostUid: Number(field("Uid").split(/\s+/)[0]),
    capEff: BigInt(`0x${field("CapEff") || "0"}`),
    capBnd: BigInt(`0x${field("CapBnd") || "0"}`),
    noNewPrivs: field("NoNewPrivs") === "1",
    seccompMode: Number(field("Seccomp") || 0),
    uidMap: uidMap
      .split("\n")
      .map((line) => line.trim().split(/\s+/).join(" "))
      .filter(Boolean),
    mounts,
  };
}

function unescapeMountPath(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

const imageId = (id: string) => id.replace(/^sha256:/, "");

/** Edge: what the kernel says about the container's first process. */
export async function readProcessFacts(pid: number): Promise<ProcessFacts> {
  const proc = (file: string) => readFile(`/proc/${pid}/${file}`, "utf8");
  return parseProcessFacts(await proc("status"), await proc("uid_map"), await proc("mountinfo"));
}

/**
 * Pure: every hardening setting of the spec, compared with the live container as Podman reports it
 * and as the kernel reports it. An empty list means the container is what the lock promised.
 */
export function checkConformance(input: {
  spec: ContainerSpec;
  agentDir: string;
  inspect: LibpodInspect;
  process: ProcessFacts;
  idMapping?: IdMapping;
}): ConformanceFinding[] {
  const { spec, inspect, process } = input;
  const host = inspect.HostConfig;
  const findings: ConformanceFinding[] = [];
  const expect = (setting: string, ok: boolean, expected: string, actual: string) => {
    if (!ok) findings.push({ setting, expected, actual });
  };

  expect("image", imageId(inspect.Image) === imageId(spec.image.digest), spec.image.digest, inspect.Image);
  expect("hostname", inspect.Config.Hostname === spec.hostname, spec.hostname, inspect.Config.Hostname);
  expect("user", inspect.Config.User === spec.user, spec.user, inspect.Config.User);
  const agentUid = Number(spec.user.split(":")[0]);
  expect(
    "runs as non-root on the host",
    process.hostUid !== 0,
    "a non-zero host uid",
    String(process.hostUid),
  );

  // Capabilities: none effective and none that could be regained.
  expect("privileged", !host.Privileged, "false", String(host.Privileged));
  expect("cap-add", (host.CapAdd ?? []).length === 0, "none", (host.CapAdd ?? []).join(","));
  expect("effective capabilities", process.capEff === 0n, "0", process.capEff.toString(16));
  expect("bounding capabilities (cap-drop ALL)", process.capBnd === 0n, "0", process.capBnd.toString(16));
  const securityOpt = host.SecurityOpt ?? [];
  expect(
    "no-new-privileges",
    process.noNewPrivs && securityOpt.includes("no-new-privileges"),
    "set",
    `${process.noNewPrivs ? "kernel: set" : "kernel: unset"}; ${securityOpt.join(",") || "no security options"}`,
  );
  expect(
    "seccomp",
    process.seccompMode === 2 && !securityOpt.some((opt) => opt.startsWith("seccomp=unconfined")),
    "the default filter",
    process.seccompMode === 2 ? securityOpt.join(",") : `mode ${process.seccompMode}`,
  );

  // Filesystem: read-only root, tmpfs where the spec says, and exactly the spec's bind mounts.
  const root = process.mounts.get("/");
  expect(
    "read-only root filesystem",
    host.ReadonlyRootfs && root?.options.includes("ro") === true,
    "ro",
    `${host.ReadonlyRootfs ? "ReadonlyRootfs" : "writable"}; / mounted ${root?.options.join(",") ?? "?"}`,
  );
  for (const target of Object.keys(spec.tmpfs)) {
    const mount = process.mounts.get(target);
    expect(`tmpfs ${target}`, mount?.fsType === "tmpfs", "tmpfs", mount?.fsType ?? "not mounted");
  }
  const binds = new Map(
    inspect.Mounts.filter((mount) => mount.Type === "bind").map((mount) => [mount.Destination, mount]),
  );
  for (const mount of spec.mounts) {
    const live = binds.get(mount.target);
    const source = resolve(input.agentDir, mount.source);
    expect(
      `mount ${mount.target}`,
      live?.Source === source && live.RW === !mount.readOnly,
      `${source} ${mount.readOnly ? "ro" : "rw"}`,
      live ? `${live.Source} ${live.RW ? "rw" : "ro"}` : "missing",
    );
    binds.delete(mount.target);
  }
  for (const extra of binds.values()) {
    expect(`mount ${extra.Destination}`, false, "not mounted", `${extra.Source} (not in the spec)`);
  }

  // Limits.
  const limits = spec.resources;
  expect("memory", host.Memory === limits.memoryBytes, String(limits.memoryBytes), String(host.Memory));
  expect(
    "memory+swap",
    host.MemorySwap === limits.memorySwapBytes,
    String(limits.memorySwapBytes),
    String(host.MemorySwap),
  );
  const nanoCpus = host.NanoCpus || (host.CpuPeriod ? Math.round((host.CpuQuota / host.CpuPeriod) * 1e9) : 0);
  expect("cpus", nanoCpus === limits.nanoCpus, String(limits.nanoCpus / 1e9), String(nanoCpus / 1e9));
  expect("pids", host.PidsLimit === limits.pidsLimit, String(limits.pidsLimit), String(host.PidsLimit));

  // Network: the spec's mode and nothing published on the host.
  expect("network", host.NetworkMode === spec.network.mode, spec.network.mode, host.NetworkMode);
  const published = Object.keys(host.PortBindings ?? {});
  expect("published ports", published.length === 0, "none", published.join(","));

  // User namespace.
  if (spec.userns.mode === "auto" && input.idMapping) {
    const expected = `0 ${input.idMapping.hostBase} ${input.idMapping.size}`;
    expect("user namespace", process.uidMap.join(";") === expected, expected, process.uidMap.join(";"));
    expect(
      "agent uid on the host",
      process.hostUid === input.idMapping.hostBase + agentUid,
      String(input.idMapping.hostBase + agentUid),
      String(process.hostUid),
    );
  } else if (spec.userns.mode === "keep-id") {
    expect("user namespace", host.UsernsMode.startsWith("keep-id"), "keep-id", host.UsernsMode);
  }

  // Environment and labels the spec names.
  const env = new Map(
    (inspect.Config.Env ?? []).map((entry) => [
      entry.slice(0, entry.indexOf("=")),
      entry.slice(entry.indexOf("=") + 1),
    ]),
  );
  for (const [name, value] of Object.entries(spec.env)) {
    expect(`env ${name}`, env.get(name) === value, value, env.get(name) ?? "unset");
  }
  const labels = inspect.Config.Labels ?? {};
  for (const [name, value] of Object.entries(spec.labels)) {
    expect(`label ${name}`, labels[name] === value, value, labels[name] ?? "unset");
  }
  return findings;
}
