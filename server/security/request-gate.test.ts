import { describe, expect, it } from "vitest";
import { checkApiRead, checkHost, checkStateChangingRequest, checkWebSocketOrigin } from "./request-gate";
import { contentSecurityPolicy } from "./security-headers";

const port = 7878;

describe("checkHost", () => {
  it.each(["127.0.0.1:7878", "localhost:7878", "[::1]:7878", "LOCALHOST:7878"])("allows %s", (host) => {
    expect(checkHost(host, port)).toEqual({ ok: true });
  });

  it.each([
    undefined,
    "",
    "evil.example",
    "evil.example:7878",
    "127.0.0.1",
    "127.0.0.1:80",
    "localhost:7879",
    "127.0.0.2:7878",
    "0.0.0.0:7878",
    "localhost.evil.example:7878",
  ])("refuses %s", (host) => {
    const verdict = checkHost(host, port);
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.status).toBe(421);
  });
});

describe("checkWebSocketOrigin", () => {
  it("allows the panel's own origins", () => {
    expect(checkWebSocketOrigin("http://127.0.0.1:7878", port).ok).toBe(true);
    expect(checkWebSocketOrigin("http://localhost:7878", port).ok).toBe(true);
  });

  it.each([
    undefined,
    "null",
    "http://evil.example",
    "http://localhost:3000",
    "https://127.0.0.1:7878",
    "file://",
  ])("refuses %s", (origin) => {
    expect(checkWebSocketOrigin(origin, port).ok).toBe(false);
  });
});

describe("checkStateChangingRequest", () => {
  const good = {
    method: "POST",
    csrfHeader: "1",
    secFetchSite: "same-origin",
    origin: "http://127.0.0.1:7878",
  };

  it("allows a same-origin POST with the custom header", () => {
    expect(checkStateChangingRequest(good, port)).toEqual({ ok: true });
  });

  it("allows a client that sends no browser headers (the CLI)", () => {
    expect(checkStateChangingRequest({ method: "POST", csrfHeader: "1" }, port).ok).toBe(true);
  });

  it.each([
    ["GET", { ...good, method: "GET" }, 405],
    ["no custom header", { ...good, csrfHeader: undefined }, 403],
    ["cross-site", { ...good, secFetchSite: "cross-site" }, 403],
    ["same-site (another localhost port)", { ...good, secFetchSite: "same-site" }, 403],
    ["foreign Origin", { ...good, origin: "http://evil.example" }, 403],
    ["null Origin", { ...good, origin: "null" }, 403],
  ])("refuses %s", (_name, req, status) => {
    const verdict = checkStateChangingRequest(req, port);
    expect(verdict).toMatchObject({ ok: false, status });
  });

  it("applies the same origin rules to API reads", () => {
    expect(checkApiRead({ csrfHeader: "1", secFetchSite: "same-origin" }, port).ok).toBe(true);
    expect(checkApiRead({ csrfHeader: "1", secFetchSite: "cross-site" }, port).ok).toBe(false);
    expect(checkApiRead({ secFetchSite: "same-origin" }, port).ok).toBe(false);
  });
});

describe("contentSecurityPolicy", () => {
  it("allows scripts only by nonce in production", () => {
    const csp = contentSecurityPolicy("abc", { dev: false });
    expect(csp).toContain("script-src 'self' 'nonce-abc' 'strict-dynamic'");
    expect(csp).not.toContain("unsafe-eval");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
  });
});
