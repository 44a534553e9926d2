import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "@playwright/test";
import { loginCookie, origin, port, rawRequest, tryWebSocket } from "./panel";

test.describe("security gate", () => {
  test("a request whose Host is not the panel's is refused before any handler", async () => {
    for (const path of ["/", "/login", "/api/health", "/api/trpc/system.status"]) {
      const response = await rawRequest(path, { headers: { Host: "evil.example" } });
      expect(response.status, path).toBe(421);
    }
    const rebinding = await rawRequest("/api/health", { headers: { Host: `evil.example:${port}` } });
    expect(rebinding.status).toBe(421);
    const ok = await rawRequest("/api/health", { headers: { Host: `localhost:${port}` } });
    expect(ok.status).toBe(200);
  });

  test("a WebSocket from a foreign, missing or null Origin is refused; ours opens", async () => {
    const cookie = await loginCookie();
    expect(await tryWebSocket("/ws/status", { Cookie: cookie, Origin: "http://evil.example" })).toEqual({
      opened: false,
      status: 403,
    });
    expect(await tryWebSocket("/ws/status", { Cookie: cookie, Origin: "http://localhost:3000" })).toEqual({
      opened: false,
      status: 403,
    });
    expect(await tryWebSocket("/ws/status", { Cookie: cookie })).toEqual({ opened: false, status: 403 });
    expect(await tryWebSocket("/ws/status", { Cookie: cookie, Origin: "null" })).toEqual({
      opened: false,
      status: 403,
    });
    expect(await tryWebSocket("/ws/status", { Origin: origin })).toEqual({ opened: false, status: 401 });
    expect(
      await tryWebSocket("/ws/status", { Cookie: cookie, Origin: origin, Host: `evil.example:${port}` }),
    ).toEqual({ opened: false, status: 403 });

    const ours = await tryWebSocket("/ws/status", { Cookie: cookie, Origin: origin });
    expect(ours.opened).toBe(true);
    if (ours.opened) expect(JSON.parse(ours.firstMessage)).toMatchObject({ type: "status" });
  });

  test("a page on another port of 127.0.0.1 cannot open the panel's WebSocket", async ({ page }) => {
    // Same site as the panel (ports do not count), so the browser sends the session cookie:
    // only the Origin check stands between this page and the socket.
    const evil = createServer((_req, res) => res.end("<!doctype html><title>elsewhere</title>"));
    await new Promise<void>((resolve) => evil.listen(0, "127.0.0.1", resolve));
    const evilPort = (evil.address() as AddressInfo).port;
    try {
      const cookie = await loginCookie();
      const [name, value] = cookie.split("=") as [string, string];
      await page.context().addCookies([{ name, value, domain: "127.0.0.1", path: "/", sameSite: "Strict" }]);
      await page.goto(`http://127.0.0.1:${evilPort}/`);
      const outcome = await page.evaluate(
        (url) =>
          new Promise<string>((resolve) => {
            const socket = new WebSocket(url);
            socket.onmessage = () => resolve("message");
            socket.onerror = () => resolve("refused");
          }),
        `ws://127.0.0.1:${port}/ws/status`,
      );
      expect(outcome).toBe("refused");
    } finally {
      evil.close();
    }
  });

  test("a mutation over GET is refused and changes nothing", async () => {
    const cookie = await loginCookie();
    const headers = { Cookie: cookie, "x-claw-csrf": "1" };
    const input = encodeURIComponent(JSON.stringify({ id: "x" }));
    const trpcGet = await rawRequest(`/api/trpc/auth.revokeSession?input=${input}`, { headers });
    expect(trpcGet.status).toBe(405);

    const logoutGet = await rawRequest("/api/logout", { headers });
    expect(logoutGet.status).toBe(405);
    const stillIn = await rawRequest("/api/trpc/auth.whoami", { headers });
    expect(stillIn.status).toBe(200);
  });

  test("cross-site and header-less API calls are refused", async () => {
    const cookie = await loginCookie();
    const crossSite = await rawRequest("/api/logout", {
      method: "POST",
      headers: { Cookie: cookie, "x-claw-csrf": "1", "Sec-Fetch-Site": "cross-site" },
    });
    expect(crossSite.status).toBe(403);
    const sameSite = await rawRequest("/api/trpc/auth.whoami", {
      headers: { Cookie: cookie, "x-claw-csrf": "1", "Sec-Fetch-Site": "same-site" },
    });
    expect(sameSite.status).toBe(403);
    const noHeader = await rawRequest("/api/trpc/auth.whoami", { headers: { Cookie: cookie } });
    expect(noHeader.status).toBe(403);
    const foreignOrigin = await rawRequest("/api/login", {
      method: "POST",
      headers: { "Content-Type": "application/json", "x-claw-csrf": "1", Origin: "http://evil.example" },
      body: JSON.stringify({ token: "x" }),
    });
    expect(foreignOrigin.status).toBe(403);
  });

  test("the session cookie is HttpOnly and SameSite=Strict", async () => {
    const cookie = await loginCookie();
    expect(cookie).toMatch(/^claw_session_\d+=/);
    const response = await rawRequest("/api/login", {
      method: "POST",
      headers: { "Content-Type": "application/json", "x-claw-csrf": "1" },
      body: JSON.stringify({ code: await (await import("./panel")).loginCode() }),
    });
    const setCookie = String(response.headers["set-cookie"]);
    expect(setCookie).toContain("HttpOnly");
    expect(setCookie).toContain("SameSite=Strict");
    expect(setCookie).toContain("Path=/");
  });

  test("only the login page and the health probe answer without a session", async () => {
    expect((await rawRequest("/api/health")).status).toBe(200);
    expect((await rawRequest("/login")).status).toBe(200);
    const home = await rawRequest("/");
    expect(home.status).toBe(303);
    expect(home.headers.location).toBe("/login");
    expect((await rawRequest("/doctor")).status).toBe(303);
    expect((await rawRequest("/", { method: "POST", headers: { "Next-Action": "x" } })).status).toBe(405);
    expect((await rawRequest("/api/trpc/system.status", { headers: { "x-claw-csrf": "1" } })).status).toBe(
      401,
    );
  });

  test("pages carry a strict CSP whose nonce is on every script", async () => {
    const response = await rawRequest("/login");
    const csp = String(response.headers["content-security-policy"]);
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(csp).toContain("'strict-dynamic'");
    expect(csp).not.toContain("unsafe-eval");
    expect(csp).toContain("frame-ancestors 'none'");
    const scripts = [...response.body.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
    expect(response.headers["x-frame-options"]).toBe("DENY");
    expect(response.headers["x-content-type-options"]).toBe("nosniff");
    expect(response.headers["referrer-policy"]).toBe("no-referrer");
  });
});
