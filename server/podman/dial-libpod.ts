import type Dockerode from "dockerode";
import { podmanAnswerMs, podmanNotAnswering, toPodmanError } from "./podman-errors";

export type DialLibpodOptions = {
  method?: "GET" | "POST" | "DELETE";
  /** JSON body for POST. */
  body?: object;
  query?: Record<string, string | number | boolean>;
  signal?: AbortSignal;
  /** HTTP codes that count as success; 200 unless told. */
  okStatus?: number[];
  /**
   * The longest wait for the whole answer (`podmanAnswerMs` unless told); false only for a call
   * whose purpose is to wait (e.g. for a container's exit), which must then check Podman answers first.
   */
  timeoutMs?: number | false;
};

/** The libpod API prefix; Podman 4 and 5 both answer it (MinAPIVersion 4.0.0). */
export const LIBPOD_PREFIX = "/v4.0.0/libpod";

/**
 * Calls a libpod-only endpoint (e.g. "/info", "/containers/create") through dockerode's modem,
 * on the same socket and client as the compat calls. The answer is unvalidated JSON.
 */
export function dialLibpod(
  docker: Dockerode,
  path: string,
  options: DialLibpodOptions = {},
): Promise<unknown> {
  return dialPodmanApi(docker, `${LIBPOD_PREFIX}${path}`, options);
}

/** The socket dockerode talks to, for error messages. */
export function socketOf(docker: Dockerode): string | undefined {
  const socketPath = (docker.modem as { socketPath?: unknown }).socketPath;
  return typeof socketPath === "string" ? socketPath : undefined;
}

/**
 * Any endpoint by its full path; for compat calls whose dockerode typings lack an abort signal.
 * A hung Podman is "not answering" after the deadline; a gone one "not reachable" (PodmanOutage).
 */
export function dialPodmanApi(
  docker: Dockerode,
  path: string,
  options: DialLibpodOptions = {},
): Promise<unknown> {
  const method = options.method ?? "GET";
  const statusCodes = Object.fromEntries((options.okStatus ?? [200]).map((code) => [code, true]));
  // docker-modem appends `_query` only to a path that ends in "?", and sends `_body` as JSON on POST.
  const dialOptions: { _query?: Record<string, string>; _body?: object } = {};
  if (options.query) dialOptions._query = toStrings(options.query);
  if (method === "POST") dialOptions._body = options.body ?? {};
  const timeoutMs = options.timeoutMs === false ? undefined : (options.timeoutMs ?? podmanAnswerMs);
  const deadline = timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs);
  const signal =
    deadline && options.signal ? AbortSignal.any([deadline, options.signal]) : (deadline ?? options.signal);
  return new Promise((resolve, reject) => {
    docker.modem.dial(
      {
        path: `${path}${options.query ? "?" : ""}`,
        method,
        options: dialOptions,
        statusCodes,
        abortSignal: signal,
      },
      (error, result) => {
        if (!error) return resolve(result);
        if (deadline?.aborted && !options.signal?.aborted && timeoutMs !== undefined)
          return reject(podmanNotAnswering(socketOf(docker), `${method} ${path}`, timeoutMs));
        reject(toPodmanError(error, socketOf(docker)));
      },
    );
  });
}

/**
 * A call whose answer is a stream (a log, events, an exec's output) may last as long as it likes,
 * but its headers must come within `timeoutMs`: `open` gets a signal that fires only until then.
 */
export async function withHeadersDeadline<T>(
  docker: Dockerode,
  what: string,
  open: (signal: AbortSignal) => Promise<T>,
  timeoutMs = podmanAnswerMs,
): Promise<T> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  try {
    return await open(controller.signal);
  } catch (error) {
    if (timedOut) throw podmanNotAnswering(socketOf(docker), what, timeoutMs);
    throw toPodmanError(error, socketOf(docker));
  } finally {
    clearTimeout(timer);
  }
}

function toStrings(query: Record<string, string | number | boolean>): Record<string, string> {
  return Object.fromEntries(Object.entries(query).map(([key, value]) => [key, String(value)]));
}

/** The HTTP status a failed dockerode or libpod call carries, if any (404: no such object). */
export function statusCodeOf(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null || !("statusCode" in error)) return undefined;
  const code = (error as { statusCode: unknown }).statusCode;
  return typeof code === "number" ? code : undefined;
}
