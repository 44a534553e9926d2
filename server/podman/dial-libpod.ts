import type Dockerode from "dockerode";

export type DialLibpodOptions = {
  method?: "GET" | "POST" | "DELETE";
  /** JSON body for POST. */
  body?: object;
  query?: Record<string, string | number | boolean>;
  signal?: AbortSignal;
  /** HTTP codes that count as success; 200 unless told. */
  okStatus?: number[];
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

/** Any endpoint by its full path; for compat calls whose dockerode typings lack an abort signal. */
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
  return new Promise((resolve, reject) => {
    docker.modem.dial(
      {
        path: `${path}${options.query ? "?" : ""}`,
        method,
        options: dialOptions,
        statusCodes,
        abortSignal: options.signal,
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
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
