import { join } from "node:path";
import Dockerode from "dockerode";
import type { ClawPaths } from "../config";
import { AppError, isAppError } from "../errors";
import {
  findPodmanSocket,
  type PodmanSource,
  type SocketAttempt,
  type SocketCandidate,
} from "./find-podman-socket";
import {
  applyHostWorkaround,
  decideHostWorkaround,
  type HostFacts,
  type HostWorkaround,
} from "./host-workarounds";
import { createLibpod, type Libpod } from "./libpod";
import { type PodmanServiceProcess, startPodmanService } from "./start-podman-service";

export type PodmanConnection = {
  docker: Dockerode;
  /** The typed container API agents, jobs and terminals use. */
  libpod: Libpod;
  socketPath: string;
  source: PodmanSource;
};

function connectionTo(socketPath: string, source: PodmanSource): PodmanConnection {
  const docker = new Dockerode({ socketPath });
  return { docker, libpod: createLibpod(docker), socketPath, source };
}

export type ConnectPodmanOptions = {
  paths: Pick<ClawPaths, "run" | "podmanSocket" | "containersConf">;
  /** Sockets to try before starting the panel's own service (see listSocketCandidates). */
  candidates: SocketCandidate[];
  hostFacts: () => Promise<HostFacts>;
  podmanBinary?: string;
  env?: NodeJS.ProcessEnv;
  pingTimeoutMs?: number;
  startTimeoutMs?: number;
};

export type ConnectPodmanResult = {
  connection: PodmanConnection;
  /** Set when the panel started the service itself and must stop it. */
  service?: PodmanServiceProcess;
  /** Candidates passed over, and why. */
  attempts: SocketAttempt[];
  workaround: HostWorkaround;
  /** The containers.conf written for this host, if it needs one. */
  confPath?: string;
};

/**
 * One connection attempt: an answering Podman socket if there is one, else a
 * `podman system service` of the panel's own, started with the host's workaround conf.
 */
export async function connectPodman(options: ConnectPodmanOptions): Promise<ConnectPodmanResult> {
  const { paths } = options;
  const [search, facts] = await Promise.all([
    findPodmanSocket(options.candidates, options.pingTimeoutMs),
    options.hostFacts().catch((error: unknown) => {
      throw new AppError("INTERNAL", `Could not read this host's limits and cgroups: ${messageOf(error)}`, {
        cause: error,
      });
    }),
  ]);
  const workaround = decideHostWorkaround(facts);
  // Written even when an existing socket is used: the file documents the fix for that service too.
  const confPath = await applyHostWorkaround(paths, workaround);

  if (search.found) {
    const { socketPath, source } = search.found;
    return {
      connection: connectionTo(socketPath, source),
      attempts: search.attempts,
      workaround,
      confPath,
    };
  }

  try {
    const service = await startPodmanService({
      socketPath: paths.podmanSocket,
      pidFile: join(paths.run, "podman-service.pid"),
      containersConf: confPath,
      podmanBinary: options.podmanBinary,
      env: options.env,
      startTimeoutMs: options.startTimeoutMs,
    });
    return {
      connection: connectionTo(service.socketPath, "panel"),
      service,
      attempts: search.attempts,
      workaround,
      confPath,
    };
  } catch (error) {
    if (isAppError(error)) throw error;
    throw new AppError("UNAVAILABLE", `Could not start the Podman service: ${messageOf(error)}`, {
      cause: error,
    });
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
