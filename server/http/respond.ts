import type { IncomingMessage, ServerResponse } from "node:http";
import { AppError } from "../errors";

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Cache-Control": "no-store",
    ...headers,
  });
  res.end(JSON.stringify(body));
}

export function sendError(
  res: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
) {
  sendJson(res, status, { error: message }, headers);
}

/** Bodies on these endpoints are tiny; anything bigger is refused before it is buffered. */
export async function readJsonBody(req: IncomingMessage, maxBytes = 4096): Promise<unknown> {
  const type = req.headers["content-type"] ?? "";
  if (!type.startsWith("application/json")) throw new AppError("BAD_REQUEST", "Expected a JSON body");
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new AppError("BAD_REQUEST", "Request body too large");
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new AppError("BAD_REQUEST", "The body is not valid JSON");
  }
}

export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Pure: a status an upstream chose that may be passed on; anything else (0, 999) is a bad gateway. */
export function isSendableStatus(status: number | undefined): status is number {
  return status !== undefined && Number.isInteger(status) && status >= 100 && status <= 599;
}
