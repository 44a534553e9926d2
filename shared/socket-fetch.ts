import { request } from "node:http";
import { Readable } from "node:stream";

/**
 * `fetch` over a Unix socket: Node's own fetch speaks TCP only. The URL's host is ignored (every
 * request goes to the socket); its path and query are sent. Bodies are strings or bytes, which
 * covers tRPC and the CLI's other calls; the response body streams.
 */
export function socketFetch(socketPath: string): typeof fetch {
  return (input, init) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(input instanceof Request ? input.url : String(input), "http://localhost");
      const headers = new Headers(input instanceof Request ? input.headers : undefined);
      for (const [name, value] of new Headers(init?.headers)) headers.set(name, value);
      const body = init?.body;
      if (body !== undefined && body !== null && typeof body !== "string" && !(body instanceof Uint8Array)) {
        reject(new TypeError("socketFetch sends string or byte bodies only"));
        return;
      }
      const req = request(
        {
          socketPath,
          path: `${url.pathname}${url.search}`,
          method: init?.method ?? (input instanceof Request ? input.method : "GET"),
          headers: { ...Object.fromEntries(headers), host: "localhost" },
          signal: init?.signal ?? undefined,
        },
        (res) => {
          const responseHeaders = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            for (const one of [value ?? []].flat()) responseHeaders.append(name, one);
          }
          const status = res.statusCode ?? 502;
          const empty = status === 204 || status === 304 || init?.method === "HEAD";
          if (empty) res.resume();
          resolve(
            new Response(empty ? null : (Readable.toWeb(res) as unknown as ReadableStream<Uint8Array>), {
              status,
              statusText: res.statusMessage,
              headers: responseHeaders,
            }),
          );
        },
      );
      req.on("error", reject);
      req.end(body ?? undefined);
    });
}
