import { randomBytes } from "node:crypto";
import fc from "fast-check";

/** The panel's own endpoints outside tRPC, each of which takes one method. */
export const plainRoutes = [
  "/api/health",
  "/api/login",
  "/api/login-code",
  "/api/logout",
  "/api/audit/export",
];

/** A request written byte for byte: its head (no final blank line), its body, how long to wait. */
export type OddRequest = { head: string; body?: string; waitMs?: number };

/**
 * What a fuzzer seldom draws: no or foreign Host, oversized and countless headers, broken framing,
 * HTTP/2 and absolute-form targets, foreign Origins, broken cookies, broken upgrades, page paths
 * that cannot be decoded, and every method on every route.
 */
export function oddRequests(port: number, cookie: string, origin: string): OddRequest[] {
  const host = `Host: 127.0.0.1:${port}`;
  const auth = `Cookie: ${cookie}\r\nx-claw-csrf: 1`;
  const json = "Content-Type: application/json";
  const secrets = `POST /api/trpc/secrets.set HTTP/1.1\r\n${host}\r\n${auth}`;
  const verify = `POST /api/trpc/audit.verify HTTP/1.1\r\n${host}\r\n${auth}`;
  const whoami = `GET /api/trpc/auth.whoami HTTP/1.1\r\n${host}\r\nx-claw-csrf: 1`;
  const login = `POST /api/login HTTP/1.1\r\n${host}\r\nx-claw-csrf: 1`;
  const upgrade = `Upgrade: websocket\r\nConnection: Upgrade\r\nOrigin: ${origin}\r\nSec-WebSocket-Version: 13`;
  const key = `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}`;
  const requests: OddRequest[] = [
    { head: "GET /api/health HTTP/1.0" },
    { head: "GET /api/health HTTP/1.1" },
    { head: "GET /api/health HTTP/1.1\r\nHost: evil.example" },
    { head: `GET /api/health HTTP/1.1\r\nHost: ${"a".repeat(8000)}` },
    { head: `GET /api/health HTTP/1.1\r\n${host}\r\nHost: evil.example` },
    { head: `GET /api/health HTTP/1.1\r\n${host}\u0000` },
    { head: `GET /api/health HTTP/1.1\r\n${host}\r\nX-Big: ${"a".repeat(20 * 1024)}` },
    { head: `${whoami}\r\nCookie: ${cookie}\r\nX-Pad: ${"b".repeat(15 * 1024)}` },
    {
      head: `${whoami}\r\nCookie: ${cookie}\r\n${Array.from({ length: 3000 }, (_, i) => `X-H${i}: ${i}`).join("\r\n")}`,
    },
    { head: `${secrets}\r\n${json}\r\nTransfer-Encoding: chunked`, body: "zz\r\n{}" },
    { head: `${secrets}\r\n${json}\r\nContent-Length: 2\r\nTransfer-Encoding: chunked`, body: "{}" },
    { head: `${secrets}\r\n${json}\r\nContent-Length: -1`, body: "{}" },
    // A body shorter than it said: the panel waits for the rest, the client gives up.
    { head: `${secrets}\r\n${json}\r\nContent-Length: 100`, body: "{}", waitMs: 1000 },
    { head: `${secrets}\r\nContent-Type: text/plain\r\nContent-Length: 3`, body: "{{{" },
    { head: "PRI * HTTP/2.0", body: "SM\r\n\r\n" },
    { head: `OPTIONS * HTTP/1.1\r\n${host}` },
    { head: `GET * HTTP/1.1\r\n${host}` },
    { head: `GET http://127.0.0.1:${port}/api/health HTTP/1.1\r\n${host}` },
    { head: `GET http://evil.example/api/trpc/auth.whoami HTTP/1.1\r\n${host}\r\n${auth}` },
    { head: `${whoami}\r\nCookie: ${cookie}\r\nOrigin: null` },
    { head: `${verify}\r\nOrigin: http://evil.example` },
    { head: `${verify}\r\nSec-Fetch-Site: cross-site` },
    { head: `${verify}\r\nOrigin: ${"o".repeat(4000)}` },
    { head: `${whoami}\r\nAuthorization: Bearer x` },
    { head: `${whoami}\r\nCookie: claw_session_${port}=%%%; =; ;;` },
    { head: `${whoami}\r\nCookie: ${Array.from({ length: 200 }, (_, i) => `c${i}=${i}`).join("; ")}` },
    { head: `${whoami}\r\nCookie: claw_session_${port}=${"z".repeat(8000)}` },
    { head: `${login}\r\n${json}\r\nContent-Length: 1`, body: "{" },
    { head: `${login}\r\nContent-Type: text/html\r\nContent-Length: 2`, body: "{}" },
    { head: `${login}\r\n${json}\r\nContent-Length: 14`, body: '{"code":[1,2]}' },
    { head: `POST /api/login-code HTTP/1.1\r\n${host}\r\nx-claw-csrf: 1` },
    { head: `POST /api/logout HTTP/1.1\r\n${host}\r\nx-claw-csrf: 1\r\nCookie: claw_session_${port}=nope` },
    { head: `GET /api/audit/export?since=%zz&agent=%E0 HTTP/1.1\r\n${host}\r\n${auth}` },
    { head: `GET /api/audit/export?since=9999-99-99 HTTP/1.1\r\n${host}\r\n${auth}` },
    { head: `GET /api/health HTTP/1.1\r\n${host}\r\n${upgrade}\r\n${key}` },
    { head: `GET /ws/status HTTP/1.1\r\n${host}\r\n${auth}\r\n${upgrade.replace("13", "99")}\r\n${key}` },
    { head: `GET /ws/status HTTP/1.1\r\n${host}\r\n${auth}\r\n${upgrade}` },
    { head: `GET /ws/%E0%A4%A HTTP/1.1\r\n${host}\r\n${auth}\r\n${upgrade}\r\n${key}` },
    { head: `GET //[ HTTP/1.1\r\n${host}\r\n${auth}\r\n${upgrade}\r\n${key}` },
  ];
  for (const path of [
    "/%",
    "/agents/%",
    "/login%",
    "/_next/static/%",
    "/%E0%A4%A",
    "/agents/%00",
    "/..%2f..%2fetc%2fpasswd",
  ]) {
    requests.push({ head: `GET ${path} HTTP/1.1\r\n${host}\r\n${auth}` });
  }
  for (const method of ["PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND", "CONNECT", "HEAD"]) {
    for (const path of [...plainRoutes, "/api/trpc/auth.whoami", "/api/nothing", "/", "/login", "/agents"]) {
      requests.push({ head: `${method} ${path} HTTP/1.1\r\n${host}\r\n${auth}` });
    }
  }
  return requests;
}

/** Percent-encoding right and wrong, and (rarely: Node refuses those itself) bytes a request line may not hold. */
const percentJunk = fc.oneof(
  {
    weight: 9,
    arbitrary: fc.constantFrom(
      "%",
      "%G1",
      "%e0%a4",
      "%E0%A4%A",
      "%00",
      "%2e%2e",
      "..",
      "%2F",
      "%ff",
      "%C0%AF",
      "%25",
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom("é", " ", "\t", "\u0000") },
);

const pathSegment = fc.oneof(
  fc.constantFrom("trpc", "ws", "static", "login", "agents", "auth.whoami", "audit", "jobs", "logs"),
  percentJunk,
  fc.stringMatching(/^[\w.,~-]{0,12}$/),
);

/** A request target under one of the panel's prefixes, with junk in its path and query. */
export const requestTarget: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom(
      "/",
      "/api/",
      "/api/trpc/",
      "/ws/",
      "/agents/",
      "/_next/static/",
      "/login",
      "/api/audit/export",
    ),
    fc.array(pathSegment, { maxLength: 4 }),
    fc.option(fc.array(percentJunk, { maxLength: 3 })),
  )
  .map(
    ([prefix, segments, query]) => `${prefix}${segments.join("/")}${query ? `?input=${query.join("")}` : ""}`,
  );

/** Mostly the methods the panel serves, sometimes ones it does not (or Node does not know). */
export const requestMethod: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom("GET", "POST") },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "HEAD",
      "PUT",
      "DELETE",
      "PATCH",
      "OPTIONS",
      "TRACE",
      "PROPFIND",
      "FOO",
      "get",
    ),
  },
);
