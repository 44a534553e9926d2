import type { Duplex } from "node:stream";
import type Dockerode from "dockerode";
import { dialLibpod, statusCodeOf } from "./dial-libpod";
import type { ContainerSummary, ContainerUsage, LibpodInspect } from "./libpod-types";

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
 * the panel never sees dockerode.
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
      })) as { Id: string };
      return result.Id;
    },

    async startContainer(id) {
      await dialLibpod(docker, containerPath(id, "/start"), { method: "POST", okStatus: [204, 304] });
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
          });
          return;
        } catch (error) {
          if (statusCodeOf(error) === 404) return;
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

    async waitForExit(id, signal) {
      const answer = await dialLibpod(docker, containerPath(id, "/wait"), {
        method: "POST",
        query: { condition: "exited" },
        signal,
      }).catch(() => undefined);
      return typeof answer === "number" ? answer : null;
    },

    // Dialled directly: dockerode would buffer a non-followed log whole.
    openLogs(id, options) {
      return new Promise((resolve, reject) =>
        docker.modem.dial(
          {
            path: `${containerPath(id, "/logs")}?`,
            method: "GET",
            isStream: true,
            statusCodes: { 200: true, 404: "no such container", 500: "server error" },
            options: { stdout: true, stderr: true, ...options },
          },
          (error: unknown, stream: unknown) => (error ? reject(error) : resolve(stream as ClosableStream)),
        ),
      );
    },

    async watchEvents(label) {
      return (await docker.getEvents({
        filters: { type: ["container"], label: [label] },
      })) as unknown as ClosableStream;
    },

    async startExec(id, options) {
      const exec = await docker.getContainer(id).exec({
        Cmd: options.command,
        AttachStdin: options.stdin,
        AttachStdout: true,
        AttachStderr: true,
        Tty: options.tty,
        User: "1000:1000",
        WorkingDir: "/workspace",
        Env: options.env,
      });
      const stream = (await exec.start({ hijack: true, stdin: options.stdin, Tty: options.tty })) as Duplex;
      return {
        stream,
        // Podman answers 201, which dockerode reports as an error although the resize happened.
        resize: (cols, rows) => void exec.resize({ w: cols, h: rows }).catch(() => {}),
        async inspect() {
          const details = await exec.inspect();
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
        return (await docker.getImage(ref).inspect()).Id;
      } catch (error) {
        if (statusCodeOf(error) === 404) return undefined;
        throw error;
      }
    },
  };
  return libpod;
}
