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
import { readCompatVersion, readPodmanInfo } from "./read-podman-info";

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
  /** What the panel and the doctor show; never throws. */
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
  stopGraceMs?: number;
};

export function createPodmanService(paths: ClawPaths, options: PodmanServiceOptions = {}): PodmanService {
  const env = options.env ?? process.env;
  const hostFacts = options.hostFacts ?? (() => gatherHostFacts());
  const stopGraceMs = options.stopGraceMs ?? 5_000;

  let current: ConnectPodmanResult | undefined;
  let pending: Promise<ConnectPodmanResult> | undefined;
  // The stop of a service that died under us; a new one waits for it to free the socket path.
  let cleanup: Promise<void> = Promise.resolve();
  let closed = false;
  let closing: Promise<void> | undefined;

  const forget = (result: ConnectPodmanResult) => {
    if (current !== result) return;
    current = undefined;
    if (result.service) cleanup = result.service.stop(stopGraceMs);
  };

  const connect = async (): Promise<ConnectPodmanResult> => {
    await cleanup;
    const result = await connectPodman({
      paths,
      candidates: options.candidates ?? listSocketCandidates(env, process.geteuid?.() ?? 0),
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

  /** Podman's info and version through the connection, within the status timeout. */
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
      const signal = AbortSignal.timeout(options.statusTimeoutMs ?? 5_000);
      const [info, version] = await Promise.all([
        readPodmanInfo(docker, signal),
        readCompatVersion(docker, signal),
      ]);
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
        containers: info.containers,
      };
    } catch (error) {
      // A socket we found may have gone away: look again next time. Our own child is
      // watched through its exit instead, so a slow answer does not restart it.
      if (!result.service) forget(result);
      return {
        reachable: false,
        ...base,
        error: {
          message: `Podman at ${socketPath} did not answer: ${messageOf(error)}`,
          fix: "Check that the Podman service is running (`podman info` shows whether Podman itself works).",
        },
      };
    }
  }
  let inflight: Promise<PodmanStatus> | undefined;

  return {
    async get() {
      return (await ensure()).connection;
    },

    status() {
      // Callers at the same moment (the live status, the doctor, a page's query) share one answer:
      // each asks Podman for info and version, about a second of its work, and under load
      // unshared calls pile up until every one of them times out.
      inflight ??= readStatus().finally(() => {
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
