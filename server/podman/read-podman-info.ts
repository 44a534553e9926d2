import type Dockerode from "dockerode";
import { z } from "zod";
import { dialLibpod, dialPodmanApi } from "./dial-libpod";

/**
 * The parts of libpod's GET /info that claw uses. The compat /info cannot replace it: on Podman 4.3
 * it has no rootless flag and lists runtimes Podman merely knows of, installed or not.
 */
const podmanInfoSchema = z.object({
  host: z.object({
    cgroupVersion: z.string().optional(),
    cgroupManager: z.string().optional(),
    cgroupControllers: z.array(z.string()).nullish(),
    ociRuntime: z.object({ name: z.string(), path: z.string().optional() }).optional(),
    security: z.object({ rootless: z.boolean() }).optional(),
  }),
  store: z
    .object({ containerStore: z.object({ number: z.number(), running: z.number() }).optional() })
    .optional(),
  version: z.object({ Version: z.string(), APIVersion: z.string() }).optional(),
});

export type PodmanInfo = {
  version?: string;
  libpodApiVersion?: string;
  rootless?: boolean;
  /** "v1" or "v2", as Podman reports it. */
  cgroupVersion?: string;
  cgroupManager?: string;
  /** Controllers Podman may use; on cgroups v2 rootless, the ones delegated to the user. */
  cgroupControllers?: string[];
  ociRuntime?: string;
  ociRuntimePath?: string;
  containers?: { running: number; total: number };
};

/** Pure: the summary claw shows, from an answer of GET /libpod/info. */
export function summarizePodmanInfo(raw: unknown): PodmanInfo {
  const info = podmanInfoSchema.parse(raw);
  const store = info.store?.containerStore;
  return {
    version: info.version?.Version,
    libpodApiVersion: info.version?.APIVersion,
    rootless: info.host.security?.rootless,
    cgroupVersion: info.host.cgroupVersion,
    cgroupManager: info.host.cgroupManager,
    cgroupControllers: info.host.cgroupControllers ?? undefined,
    ociRuntime: info.host.ociRuntime?.name,
    ociRuntimePath: info.host.ociRuntime?.path,
    containers: store ? { running: store.running, total: store.number } : undefined,
  };
}

/** Costly: Podman looks up its components' package versions (dpkg-query here) on every call. */
export async function readPodmanInfo(docker: Dockerode, timeoutMs?: number): Promise<PodmanInfo> {
  return summarizePodmanInfo(await dialLibpod(docker, "/info", { timeoutMs }));
}

const containerStatesSchema = z.array(z.object({ State: z.string() }));

/** Cheap (no package lookups): how many containers this Podman has, and how many run. */
export async function countContainers(
  docker: Dockerode,
  timeoutMs?: number,
): Promise<{ running: number; total: number }> {
  const list = containerStatesSchema.parse(
    await dialLibpod(docker, "/containers/json", { query: { all: true }, timeoutMs }),
  );
  return { running: list.filter((c) => c.State === "running").length, total: list.length };
}

const compatVersionSchema = z.object({ Version: z.string(), ApiVersion: z.string() });

/** GET /version (compat): the Docker API version dockerode talks, e.g. "1.41". As costly as /info. */
export async function readCompatVersion(
  docker: Dockerode,
  timeoutMs?: number,
): Promise<{ version: string; apiVersion: string }> {
  const raw = compatVersionSchema.parse(await dialPodmanApi(docker, "/version", { timeoutMs }));
  return { version: raw.Version, apiVersion: raw.ApiVersion };
}
