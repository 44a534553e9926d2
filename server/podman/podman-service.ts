import { access } from "node:fs/promises";
import type { ClawPaths } from "../config";
import { AppError, isAppError } from "../errors";
import { type ConnectPodmanResult, connectPodman, type PodmanConnection } from "./connect-podman";
import {
  listSocketCandidates,
  type PodmanSource,
  type SocketAttempt,
  type SocketCandidate,
} from "./find-podman-socket";
import { decideHostWorkaround, gatherHostFacts, type HostFacts } from "./host-workarounds";
import { podmanAnswerMs } from "./podman-errors";
import { countContainers, type PodmanInfo, readCompatVersion, readPodmanInfo } from "./read-podman-info";

export type { PodmanConnection } from "./connect-podman";
export type { PodmanSource } from "./find-podman-socket";

export type PodmanWorkaroundStatus = {
  /** The host needs the ulimit/runtime containers.conf. */
  needed: boolean;
  /** The Podman service in use was started with it. */
  active: boolean;
  reasons: string[];
  confPath?: string;
  /** Set when the workaround is needed but cannot reach the service in use. */
  note?: string;
};

export type PodmanStatus = {
  reachable: boolean;
  error?: { message: string; fix?: string };
  version?: string;
  /** Docker-compatible API version (what dockerode speaks), e.g. "1.41". */
  apiVersion?: string;
  /** libpod API version, e.g. "4.3.1". */
  libpodApiVersion?: string;
  rootless?: boolean;
  /** "v1" or "v2", as Podman reports it. */
  cgroupVersion?: string;
  cgroupControllers?: string[];
  ociRuntime?: string;
  socketPath?: string;
  source?: PodmanSource;
  /** Sockets passed over before the one in use, with why (e.g. CONTAINER_HOST=ssh://…). */
  skipped?: SocketAttempt[];
  workaround: PodmanWorkaroundStatus;
  containers?: { running: number; total: number };
};

export type PodmanService = {
  /** The shared client; connects (or starts the panel's own service) on first use. */
  get(): Promise<PodmanConnection>;
  /**
   * What the panel and the doctor show; never throws. Callers share one probe and its answer for
   * `statusCacheMs`; Podman's costly facts (info, version) are read once per connection.
   */
  status(): Promise<PodmanStatus>;
  /** Stops the service the panel started (not one it found). Idempotent. */
  close(): Promise<void>;
};

export type PodmanServiceOptions = {
  env?: NodeJS.ProcessEnv;
  /** Sockets to try; defaults to listSocketCandidates(env, uid). Tests pass their own. */
  candidates?: SocketCandidate[];
  hostFacts?: () => Promise<HostFacts>;
  podmanBinary?: string;
  pingTimeoutMs?: number;
  startTimeoutMs?: number;
  statusTimeoutMs?: number;
  /** How long one status answer serves every caller (2 s unless told). */
  statusCacheMs?: number;
  stopGraceMs?: number;
};

/** What does not change while one Podman service runs, read once: `podman info` costs about a second. */
type PodmanFacts = {
  connection: PodmanConnection;
  info: PodmanInfo;
  version: { version: string; apiVersion: string };
};

export function createPodmanService(paths: ClawPaths, options: PodmanServiceOptions = {}): PodmanService {
  const env = options.env ?? process.env;
  const stopGraceMs = options.stopGraceMs ?? 5_000;
  const statusTimeoutMs = options.statusTimeoutMs ?? podmanAnswerMs;
  const statusCacheMs = options.statusCacheMs ?? 2_000;
  // The host's limits and cgroups do not change while the panel runs: read once (a failure is retried).
  let hostFactsOnce: Promise<HostFacts> | undefined;
  const hostFacts = (): Promise<HostFacts> => {
    hostFactsOnce ??= (options.hostFacts ?? (() => gatherHostFacts()))().catch((error: unknown) => {
      hostFactsOnce = undefined;
      throw error;
    });
    return hostFactsOnce;
  };

  let current: ConnectPodmanResult | undefined;
  let pending: Promise<ConnectPodmanResult> | undefined;
  // The stop of a service that died under us; a new one waits for it to free the socket path.
  let cleanup: Promise<void> = Promise.resolve();
  let closed = false;
  let closing: Promise<void> | undefined;
  // Where the panel found Podman first. A socket found is kept for good: another Podman (rootless
  // instead of rootful, say) has other containers, and switching to it would make every agent look
  // removed. While it is down, calls fail as "Podman is not reachable" until it answers again.
  let firstSource: PodmanSource | undefined;
  let facts: PodmanFacts | undefined;

  const forget = (result: ConnectPodmanResult) => {
    if (current !== result) return;
    current = undefined;
    if (result.service) cleanup = result.service.stop(stopGraceMs);
  };

  const connect = async (): Promise<ConnectPodmanResult> => {
    await cleanup;
    const result = await connectPodman({
      paths,
      // Once the panel runs its own service, a restart of it is its own again.
      candidates:
        firstSource === "panel"
          ? []
          : (options.candidates ?? listSocketCandidates(env, process.geteuid?.() ?? 0)),
      hostFacts,
      podmanBinary: options.podmanBinary,
      env,
      pingTimeoutMs: options.pingTimeoutMs,
      startTimeoutMs: options.startTimeoutMs,
    });
    if (closed) {
      await result.service?.stop(stopGraceMs);
      throw closedError();
    }
    current = result;
    firstSource ??= result.connection.source;
    // If our service dies, the next get() starts a new one instead of handing out a dead client.
    void result.service?.exited.then(() => forget(result));
    return result;
  };

  const ensure = (): Promise<ConnectPodmanResult> => {
    if (closed) return Promise.reject(closedError());
    if (current) return Promise.resolve(current);
    // Concurrent callers share one attempt; a failed attempt is not kept, so the next call retries.
    pending ??= connect().finally(() => {
      pending = undefined;
    });
    return pending;
  };

  const describeWorkaround = (result: ConnectPodmanResult): PodmanWorkaroundStatus => {
    const { workaround, confPath, connection } = result;
    if (!workaround.needed) return { needed: false, active: false, reasons: [] };
    const active = connection.source === "panel" && confPath !== undefined;
    return {
      needed: true,
      active,
      reasons: workaround.reasons,
      confPath,
      note: active
        ? undefined
        : `The Podman service at ${connection.socketPath} (${connection.source}) was not started by claw, ` +
          `so claw's containers.conf cannot apply to it; start it with CONTAINERS_CONF=${confPath ?? paths.containersConf}.`,
    };
  };

  /** Without a connection: what the host would need, from the facts alone. */
  const describeOfflineWorkaround = async (): Promise<PodmanWorkaroundStatus> => {
    try {
      const workaround = decideHostWorkaround(await hostFacts());
      if (!workaround.needed) return { needed: false, active: false, reasons: [] };
      const written = await access(paths.containersConf).then(
        () => true,
        () => false,
      );
      return {
        needed: true,
        active: false,
        reasons: workaround.reasons,
        confPath: written ? paths.containersConf : undefined,
      };
    } catch (error) {
      return {
        needed: false,
        active: false,
        reasons: [],
        note: `Could not read host facts: ${messageOf(error)}`,
      };
    }
  };

  /**
   * Podman's facts once per connection, then only what changes (the container count, which also
   * shows Podman answers): cheap enough for every poll.
   */
  async function readStatus(): Promise<PodmanStatus> {
    let result: ConnectPodmanResult;
    try {
      result = await ensure();
    } catch (error) {
      return {
        reachable: false,
        error: toStatusError(error),
        workaround: await describeOfflineWorkaround(),
      };
    }
    const { docker, socketPath, source } = result.connection;
    const base = {
      socketPath,
      source,
      skipped: result.attempts.length > 0 ? result.attempts : undefined,
      workaround: describeWorkaround(result),
    };
    try {
      let known = facts?.connection === result.connection ? facts : undefined;
      let containers: PodmanStatus["containers"];
      if (known) containers = await countContainers(docker, statusTimeoutMs);
      else {
        const [info, version] = await Promise.all([
          readPodmanInfo(docker, statusTimeoutMs),
          readCompatVersion(docker, statusTimeoutMs),
        ]);
        known = facts = { connection: result.connection, info, version };
        containers = info.containers;
      }
      const { info, version } = known;
      return {
        reachable: true,
        ...base,
        version: info.version ?? version.version,
        apiVersion: version.apiVersion,
        libpodApiVersion: info.libpodApiVersion,
        rootless: info.rootless,
        cgroupVersion: info.cgroupVersion,
        cgroupControllers: info.cgroupControllers,
        ociRuntime: info.ociRuntime,
        containers,
      };
    } catch (error) {
      // The service may come back another version: its facts are read again then.
      facts = undefined;
      return { reachable: false, ...base, error: toStatusError(error) };
    }
  }
  let inflight: Promise<PodmanStatus> | undefined;
  let answered: { at: number; status: PodmanStatus } | undefined;

  return {
    async get() {
      return (await ensure()).connection;
    },

    status() {
      // Callers at the same moment (the live status of every open page, the doctor, the CLI) share
      // one probe and, for a moment, its answer: unshared probes pile up under load until every one
      // of them times out.
      if (answered && Date.now() - answered.at < statusCacheMs) return Promise.resolve(answered.status);
      inflight ??= readStatus()
        .then((status) => {
          answered = { at: Date.now(), status };
          return status;
        })
        .finally(() => {
          inflight = undefined;
        });
      return inflight;
    },

    close() {
      closing ??= (async () => {
        closed = true;
        await pending?.catch(() => undefined);
        const result = current;
        current = undefined;
        await result?.service?.stop(stopGraceMs);
        await cleanup;
      })();
      return closing;
    },
  };
}

function closedError(): AppError {
  return new AppError("UNAVAILABLE", "The Podman connection is closed (the panel is shutting down)");
}

function toStatusError(error: unknown): { message: string; fix?: string } {
  if (isAppError(error))
    return error.fix ? { message: error.message, fix: error.fix } : { message: error.message };
  return { message: messageOf(error) };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
