import type { Duplex } from "node:stream";
import type Dockerode from "dockerode";
import { dialLibpod, dialPodmanApi, socketOf, statusCodeOf, withHeadersDeadline } from "./dial-libpod";
import type { ContainerSummary, ContainerUsage, LibpodInspect } from "./libpod-types";
import { isPodmanOutage, podmanChangeMs, toPodmanError } from "./podman-errors";

export type { ContainerSummary, ContainerUsage, LibpodInspect } from "./libpod-types";
export { homeLabel } from "./libpod-types";

/** A readable stream the caller may end early (a followed log, the event feed). */
export type ClosableStream = NodeJS.ReadableStream & { destroy(): void };

export type ExecOptions = {
  command: string[];
  tty: boolean;
  stdin: boolean;
  env?: string[];
};

/** A process started in a running container: its raw stream (multiplexed unless a TTY). */
export type ExecSession = {
  stream: Duplex;
  resize(cols: number, rows: number): void;
  /** Whether it still runs (and its host pid, to hang it up), and once it ended, its exit code. */
  inspect(): Promise<{ running: boolean; exitCode: number | null; pid?: number }>;
};

/**
 * Everything agents, jobs and terminals ask of Podman about containers, in one typed interface
 * (images have their own in `server/images/`). One implementation, on dockerode's socket: the rest of
 * the panel never sees dockerode. Every call has a deadline (a stream's is for its headers), and a
 * Podman that is gone or hung fails as a PodmanOutage ("Podman is not reachable / not answering").
 */
export interface Libpod {
  /** `POST /libpod/containers/create` with a body from `libpodCreateBody`; the new container's id. */
  createContainer(body: object): Promise<string>;
  startContainer(id: string): Promise<void>;
  /** Undefined when there is no such container. */
  inspectContainer(nameOrId: string): Promise<LibpodInspect | undefined>;
  /** SIGTERM, then SIGKILL after `timeoutSeconds`. A stopped or missing container is fine. */
  stopContainer(id: string, timeoutSeconds: number): Promise<void>;
  /** Removes a container (force also kills it); a missing one is fine. */
  removeContainer(id: string, options?: { force?: boolean }): Promise<void>;
  /** Every container carrying `label` (e.g. `claw.home=…`), running or not. */
  listContainers(label: string): Promise<ContainerSummary[]>;
  /** One sample for each running container named; an empty map when Podman cannot say. */
  sampleUsage(ids: string[]): Promise<Map<string, ContainerUsage>>;
  /** The container's own exit code once it exits; null when Podman cannot say (or `signal` aborts). */
  waitForExit(id: string, signal?: AbortSignal): Promise<number | null>;
  /** The container's multiplexed log, followed or not (read it with `readLogLines`). */
  openLogs(
    id: string,
    options: { tail?: number; follow: boolean; timestamps: boolean },
  ): Promise<ClosableStream>;
  /** Container events (create, start, die…) of the containers carrying `label`, as they happen. */
  watchEvents(label: string): Promise<ClosableStream>;
  startExec(id: string, options: ExecOptions): Promise<ExecSession>;
  /** The image's id, or undefined when it is not there. */
  imageId(ref: string): Promise<string | undefined>;
}

/** Podman's own words for a failed call (`{"cause":…,"message":…}` in the body). */
export function podmanMessage(error: unknown): string {
  const json = (error as { json?: { message?: string } } | null)?.json;
  if (json?.message) return json.message;
  return error instanceof Error ? error.message : String(error);
}

const containerPath = (id: string, rest = "") => `/containers/${encodeURIComponent(id)}${rest}`;

export function createLibpod(docker: Dockerode): Libpod {
  const libpod: Libpod = {
    async createContainer(body) {
      const result = (await dialLibpod(docker, "/containers/create", {
        method: "POST",
        body,
        okStatus: [201],
        timeoutMs: podmanChangeMs,
      })) as { Id: string };
      return result.Id;
    },

    async startContainer(id) {
      await dialLibpod(docker, containerPath(id, "/start"), {
        method: "POST",
        okStatus: [204, 304],
        timeoutMs: podmanChangeMs,
      });
    },

    async inspectContainer(nameOrId) {
      try {
        return (await dialLibpod(docker, containerPath(nameOrId, "/json"))) as LibpodInspect;
      } catch (error) {
        if (statusCodeOf(error) === 404) return undefined;
        throw error;
      }
    },

    async stopContainer(id, timeoutSeconds) {
      try {
        await dialLibpod(docker, containerPath(id, "/stop"), {
          method: "POST",
          query: { timeout: timeoutSeconds },
          okStatus: [204, 304],
          // Podman waits out the container's own stop timeout before it answers.
          timeoutMs: timeoutSeconds * 1000 + podmanChangeMs,
        });
      } catch (error) {
        if (statusCodeOf(error) !== 404) throw error;
      }
    },

    // Podman 4.3 sometimes fails with `unlinkat …/userdata/shm: device or resource busy` for a
    // user-namespaced container although the container is gone: what counts is whether it still exists.
    async removeContainer(id, options = {}) {
      let lastError: unknown;
      for (let attempt = 0; attempt < 4; attempt++) {
        try {
          await dialLibpod(docker, containerPath(id), {
            method: "DELETE",
            query: { force: options.force ?? false, v: false },
            okStatus: [200, 204],
            timeoutMs: podmanChangeMs,
          });
          return;
        } catch (error) {
          if (statusCodeOf(error) === 404) return;
          if (isPodmanOutage(error)) throw error;
          lastError = error;
          if (!(await libpod.inspectContainer(id))) return;
          await new Promise((resolve) => setTimeout(resolve, 250 * (attempt + 1)));
        }
      }
      throw lastError;
    },

    async listContainers(label) {
      return (await dialLibpod(docker, "/containers/json", {
        query: { all: true, filters: JSON.stringify({ label: [label] }) },
      })) as ContainerSummary[];
    },

    async sampleUsage(ids) {
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
    },

    // No deadline: waiting is the point, and Podman sends nothing (not even headers) until the exit.
    // A Podman that goes away ends it with null; a hung one holds it until it answers again.
    async waitForExit(id, signal) {
      const answer = await dialLibpod(docker, containerPath(id, "/wait"), {
        method: "POST",
        query: { condition: "exited" },
        signal,
        timeoutMs: false,
      }).catch(() => undefined);
      return typeof answer === "number" ? answer : null;
    },

    // Dialled directly: dockerode would buffer a non-followed log whole. A followed log of a quiet
    // container gets no headers until its first line, so that one checks Podman answers first.
    async openLogs(id, options) {
      if (options.follow) await dialLibpod(docker, "/_ping");
      const open = (signal?: AbortSignal) =>
        new Promise<ClosableStream>((resolve, reject) =>
          docker.modem.dial(
            {
              path: `${containerPath(id, "/logs")}?`,
              method: "GET",
              isStream: true,
              statusCodes: { 200: true, 404: "no such container", 500: "server error" },
              options: { stdout: true, stderr: true, ...options },
              abortSignal: signal,
            },
            (error: unknown, stream: unknown) => (error ? reject(error) : resolve(stream as ClosableStream)),
          ),
        );
      if (!options.follow) return withHeadersDeadline(docker, `the log of ${id.slice(0, 12)}`, open);
      return open().catch((error: unknown) => {
        throw toPodmanError(error, socketOf(docker));
      });
    },

    watchEvents(label) {
      return withHeadersDeadline(
        docker,
        "the event feed",
        async (abortSignal) =>
          (await docker.getEvents({
            filters: { type: ["container"], label: [label] },
            abortSignal,
          })) as unknown as ClosableStream,
      );
    },

    async startExec(id, options) {
      const { Id: execId } = (await dialPodmanApi(docker, containerPath(id, "/exec"), {
        method: "POST",
        okStatus: [200, 201],
        body: {
          Cmd: options.command,
          AttachStdin: options.stdin,
          AttachStdout: true,
          AttachStderr: true,
          Tty: options.tty,
          User: "1000:1000",
          WorkingDir: "/workspace",
          Env: options.env,
        },
      })) as { Id: string };
      const exec = docker.getExec(execId);
      const stream = await withHeadersDeadline(
        docker,
        "an exec start",
        async (abortSignal) =>
          (await exec.start({ hijack: true, stdin: options.stdin, Tty: options.tty, abortSignal })) as Duplex,
      );
      const execPath = `/exec/${encodeURIComponent(execId)}`;
      return {
        stream,
        // Podman answers 201 although dockerode expects 200: both mean the resize happened.
        resize: (cols, rows) =>
          void dialPodmanApi(docker, `${execPath}/resize`, {
            method: "POST",
            query: { h: rows, w: cols },
            okStatus: [200, 201],
          }).catch(() => {}),
        async inspect() {
          const details = (await dialPodmanApi(docker, `${execPath}/json`)) as {
            Running: boolean;
            ExitCode?: number | null;
            Pid?: number;
          };
          return {
            running: details.Running,
            exitCode: details.ExitCode ?? null,
            pid: details.Pid || undefined,
          };
        },
      };
    },

    async imageId(ref) {
      try {
        // The name unencoded, as dockerode sends it: Podman matches the rest of the path as the name.
        return ((await dialPodmanApi(docker, `/images/${ref}/json`)) as { Id: string }).Id;
      } catch (error) {
        if (statusCodeOf(error) === 404) return undefined;
        throw error;
      }
    },
  };
  return libpod;
}
