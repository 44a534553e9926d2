import type Dockerode from "dockerode";
import { dialLibpod, statusCodeOf } from "../podman/dial-libpod";

/** Names the CLAW_HOME a container belongs to: several panels (tests) may share one Podman. */
export const homeLabel = "claw.home";

/** The parts of libpod's container inspect the runtime and the conformance check read. */
export type LibpodInspect = {
  Id: string;
  Name: string;
  Created: string;
  State: {
    Status: string;
    Running: boolean;
    Pid: number;
    ExitCode: number;
    StartedAt: string;
    FinishedAt: string;
    OOMKilled?: boolean;
    Error?: string;
  };
  Config: {
    Hostname: string;
    User: string;
    Env: string[] | null;
    Labels: Record<string, string> | null;
    StopTimeout: number;
    Image?: string;
  };
  Image: string;
  ImageName: string;
  Mounts: { Type: string; Source: string; Destination: string; RW: boolean; Options?: string[] }[];
  HostConfig: {
    CapAdd: string[] | null;
    SecurityOpt: string[] | null;
    ReadonlyRootfs: boolean;
    NetworkMode: string;
    Memory: number;
    MemorySwap: number;
    NanoCpus: number;
    CpuQuota: number;
    CpuPeriod: number;
    PidsLimit: number;
    Privileged: boolean;
    UsernsMode: string;
    IDMappings?: { UidMap?: string[]; GidMap?: string[] };
    Tmpfs: Record<string, string> | null;
    PortBindings: Record<string, unknown> | null;
  };
  NetworkSettings?: { Ports?: Record<string, unknown> | null };
};

export type ContainerSummary = {
  Id: string;
  Names: string[];
  State: string;
  Labels: Record<string, string> | null;
  StartedAt: number;
  ExitCode: number;
  Exited: boolean;
  Created: string | number;
};

/** Podman's own words for a failed call (`{"cause":…,"message":…}` in the body). */
export function podmanMessage(error: unknown): string {
  const json = (error as { json?: { message?: string } } | null)?.json;
  if (json?.message) return json.message;
  return error instanceof Error ? error.message : String(error);
}

export async function createContainer(docker: Dockerode, body: object): Promise<string> {
  const result = (await dialLibpod(docker, "/containers/create", {
    method: "POST",
    body,
    okStatus: [201],
  })) as {
    Id: string;
  };
  return result.Id;
}

export async function startContainer(docker: Dockerode, id: string): Promise<void> {
  await dialLibpod(docker, `/containers/${encodeURIComponent(id)}/start`, {
    method: "POST",
    okStatus: [204, 304],
  });
}

/** Undefined when there is no such container. */
export async function inspectContainer(
  docker: Dockerode,
  nameOrId: string,
): Promise<LibpodInspect | undefined> {
  try {
    return (await dialLibpod(docker, `/containers/${encodeURIComponent(nameOrId)}/json`)) as LibpodInspect;
  } catch (error) {
    if (statusCodeOf(error) === 404) return undefined;
    throw error;
  }
}

/** SIGTERM, then SIGKILL after `timeoutSeconds`. A stopped or missing container is fine. */
export async function stopContainer(docker: Dockerode, id: string, timeoutSeconds: number): Promise<void> {
  try {
    await dialLibpod(docker, `/containers/${encodeURIComponent(id)}/stop`, {
      method: "POST",
      query: { timeout: timeoutSeconds },
      okStatus: [204, 304],
    });
  } catch (error) {
    if (statusCodeOf(error) !== 404) throw error;
  }
}

/**
 * Removes a container (force also kills it). Podman 4.3 sometimes fails with
 * `unlinkat …/userdata/shm: device or resource busy` for a user-namespaced container although the
 * container is gone: what counts is whether it still exists.
 */
export async function removeContainer(
  docker: Dockerode,
  id: string,
  options: { force?: boolean } = {},
): Promise<void> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 4; attempt++) {
    try {
      await dialLibpod(docker, `/containers/${encodeURIComponent(id)}`, {
        method: "DELETE",
        query: { force: options.force ?? false, v: false },
        okStatus: [200, 204],
      });
      return;
    } catch (error) {
      if (statusCodeOf(error) === 404) return;
      lastError = error;
      if (!(await inspectContainer(docker, id))) return;
      await new Promise((resolve) => setTimeout(resolve, 250 * (attempt + 1)));
    }
  }
  throw lastError;
}

/** Every container carrying `label` (e.g. `claw.home=…`), running or not. */
export async function listLabelledContainers(docker: Dockerode, label: string): Promise<ContainerSummary[]> {
  return (await dialLibpod(docker, "/containers/json", {
    query: { all: true, filters: JSON.stringify({ label: [label] }) },
  })) as ContainerSummary[];
}

export type ContainerUsage = { cpuPercent: number; memoryBytes: number; memoryLimitBytes: number };

/** One sample for each running container named; an empty map when Podman cannot say. */
export async function sampleUsage(docker: Dockerode, ids: string[]): Promise<Map<string, ContainerUsage>> {
  const usage = new Map<string, ContainerUsage>();
  if (ids.length === 0) return usage;
  const result = (await dialLibpod(docker, "/containers/stats", {
    query: { stream: false, containers: ids.join(",") },
  }).catch(() => undefined)) as
    | { Stats?: { ContainerID: string; CPU: number; MemUsage: number; MemLimit: number }[] | null }
    | undefined;
  for (const stat of result?.Stats ?? []) {
    usage.set(stat.ContainerID, {
      cpuPercent: stat.CPU,
      memoryBytes: stat.MemUsage,
      memoryLimitBytes: stat.MemLimit,
    });
  }
  return usage;
}

/** Pure: the host id a "0:HOST:SIZE" uid map starts at. */
export function hostBaseOf(uidMap: string[] | undefined): number | undefined {
  const match = /^0:(\d+):\d+$/.exec(uidMap?.[0] ?? "");
  return match?.[1] ? Number(match[1]) : undefined;
}

/** The id ranges claw containers other than `except` hold now, across every CLAW_HOME on this Podman. */
export async function idRangesInUse(docker: Dockerode, except: string): Promise<Set<number>> {
  const bases = new Set<number>();
  for (const container of await listLabelledContainers(docker, "claw.agent")) {
    if (container.Names.includes(except)) continue;
    const live = await inspectContainer(docker, container.Id);
    const base = hostBaseOf(live?.HostConfig.IDMappings?.UidMap);
    if (base !== undefined) bases.add(base);
  }
  return bases;
}
