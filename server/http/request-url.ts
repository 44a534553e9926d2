import type { IncomingMessage } from "node:http";

/**
 * The request's URL, or undefined where its target cannot be parsed (`//[`): the client's mistake,
 * answered 400, never a thrown TypeError that becomes a 500.
 */
export function requestUrl(req: IncomingMessage): URL | undefined {
  try {
    return new URL(req.url ?? "/", "http://127.0.0.1");
  } catch {
    return undefined;
  }
}

/** Pure: percent-decoded text, or undefined for malformed encoding (`%`, `%E0%A4%A`). */
export function decodePercent(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

export const badRequestTarget = "The request's URL is malformed; send a valid, percent-encoded path.";

export const badPercentEncoding =
  "The request's path has malformed percent-encoding (a lone or incomplete %XX); encode a literal % as %25.";
