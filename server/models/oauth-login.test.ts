import { mkdtemp, readFile, stat } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AuditEventInput } from "../audit/audit-chain";
import { jobsPaths, readJobSecret, writeJobSecret } from "../jobs/job-settings";
import { createOAuthLogin, oauthClientId } from "./oauth-login";

type TokenCall = { method: string; contentType: string | undefined; body: Record<string, unknown> };

/** Anthropic's token endpoint on loopback: records each call and answers as told. */
function startTokenServer() {
  const calls: TokenCall[] = [];
  let answer: { status: number; body: unknown; delayMs?: number } = { status: 200, body: {} };
  const server: Server = createServer((req, res) => {
    let text = "";
    req.on("data", (chunk: Buffer) => {
      text += chunk.toString();
    });
    req.on("end", () => {
      calls.push({
        method: req.method ?? "",
        contentType: req.headers["content-type"],
        body: JSON.parse(text) as Record<string, unknown>,
      });
      const { status, body, delayMs } = answer;
      setTimeout(
        () => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body)),
        delayMs ?? 0,
      );
    });
  });
  return {
    calls,
    answer: (next: typeof answer) => {
      answer = next;
    },
    listen: () =>
      new Promise<string>((resolve) =>
        server.listen(0, "127.0.0.1", () =>
          resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/oauth/token`),
        ),
      ),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

const login = (expiresInMs: number, extra: Record<string, unknown> = {}) => ({
  claudeAiOauth: {
    accessToken: "sk-ant-oat01-old-access",
    refreshToken: "sk-ant-ort01-old-refresh",
    expiresAt: Date.now() + expiresInMs,
    scopes: ["user:inference", "user:profile"],
    subscriptionType: "max",
    ...extra,
  },
  mcpOAuth: { someServer: { token: "kept as it was" } },
});

describe("the panel's OAuth login", () => {
  const tokens = startTokenServer();
  let tokenUrl = "";
  let paths: ReturnType<typeof jobsPaths>;
  let audited: AuditEventInput[];

  const service = () =>
    createOAuthLogin({
      read: () => readJobSecret(paths, "credentials"),
      write: (text) => writeJobSecret(paths, "credentials", text),
      audit: {
        record: async (event) => {
          audited.push(event);
          return {} as never;
        },
      },
      tokenUrl,
    });
  const store = (value: unknown) => writeJobSecret(paths, "credentials", JSON.stringify(value));
  const stored = async () =>
    JSON.parse((await readJobSecret(paths, "credentials")) ?? "null") as ReturnType<typeof login>;

  beforeAll(async () => {
    tokenUrl = await tokens.listen();
  });
  afterAll(() => tokens.close());
  beforeEach(async () => {
    paths = jobsPaths(join(await mkdtemp(join(tmpdir(), "claw-oauth-")), "jobs"));
    audited = [];
    tokens.calls.length = 0;
    tokens.answer({
      status: 200,
      body: {
        access_token: "sk-ant-oat01-new-access",
        refresh_token: "sk-ant-ort01-new-refresh",
        expires_in: 28_800,
      },
    });
  });

  it("gives a fresh token as it is, without calling the token endpoint", async () => {
    await store(login(60 * 60_000));
    expect(await service().accessToken()).toEqual({ token: "sk-ant-oat01-old-access" });
    expect(tokens.calls).toEqual([]);
    expect(audited).toEqual([]);
  });

  it("refreshes a token that expires within 5 minutes the way Claude Code does, and stores the new one 0600 with every other field", async () => {
    await store(login(4 * 60_000));
    const before = Date.now();
    expect(await service().accessToken()).toEqual({ token: "sk-ant-oat01-new-access" });
    expect(tokens.calls).toEqual([
      {
        method: "POST",
        contentType: "application/json",
        body: {
          grant_type: "refresh_token",
          refresh_token: "sk-ant-ort01-old-refresh",
          client_id: oauthClientId,
          scope: "user:inference user:profile",
        },
      },
    ]);
    const after = await stored();
    expect(after).toEqual({
      claudeAiOauth: {
        accessToken: "sk-ant-oat01-new-access",
        refreshToken: "sk-ant-ort01-new-refresh",
        expiresAt: expect.any(Number),
        scopes: ["user:inference", "user:profile"],
        subscriptionType: "max",
      },
      mcpOAuth: { someServer: { token: "kept as it was" } },
    });
    expect(after.claudeAiOauth.expiresAt).toBeGreaterThanOrEqual(before + 28_800_000);
    expect(after.claudeAiOauth.expiresAt).toBeLessThanOrEqual(Date.now() + 28_800_000);
    expect((await stat(paths.secret("credentials"))).mode & 0o777).toBe(0o600);
    expect(audited).toEqual([
      expect.objectContaining({
        category: "job",
        action: "job_login_refreshed",
        actor: "system",
        outcome: "ok",
      }),
    ]);
    expect(JSON.stringify(audited)).not.toMatch(/sk-ant/);
  });

  it("keeps the old refresh token when the answer has none", async () => {
    await store(login(-60_000));
    tokens.answer({ status: 200, body: { access_token: "sk-ant-oat01-new-access", expires_in: 3600 } });
    expect(await service().accessToken()).toEqual({ token: "sk-ant-oat01-new-access" });
    expect((await stored()).claudeAiOauth.refreshToken).toBe("sk-ant-ort01-old-refresh");
  });

  it("refreshes once for many requests at the same time", async () => {
    await store(login(60_000));
    tokens.answer({
      status: 200,
      body: { access_token: "sk-ant-oat01-new-access", refresh_token: "sk-ant-ort01-new", expires_in: 3600 },
      delayMs: 200,
    });
    const oauth = service();
    const answers = await Promise.all(Array.from({ length: 20 }, () => oauth.accessToken()));
    expect(answers).toEqual(Array(20).fill({ token: "sk-ant-oat01-new-access" }));
    // A request after it reads the refreshed login: still one call.
    expect(await oauth.accessToken()).toEqual({ token: "sk-ant-oat01-new-access" });
    expect(tokens.calls).toHaveLength(1);
    expect(audited.map((event) => event.action)).toEqual(["job_login_refreshed"]);
  });

  it("on a refused refresh uses the old token while it is valid, says so in the audit, and does not retry at once", async () => {
    await store(login(2 * 60_000));
    tokens.answer({
      status: 400,
      body: { error: "invalid_grant", error_description: "Refresh token not found or invalid" },
    });
    const oauth = service();
    expect(await oauth.accessToken()).toEqual({ token: "sk-ant-oat01-old-access" });
    expect(await oauth.accessToken()).toEqual({ token: "sk-ant-oat01-old-access" });
    expect(tokens.calls).toHaveLength(1);
    expect(audited).toEqual([
      expect.objectContaining({
        action: "job_login_refresh_failed",
        actor: "system",
        outcome: "error",
        details: expect.objectContaining({
          status: 400,
          error: "the token endpoint answered 400: invalid_grant: Refresh token not found or invalid",
          usingStoredToken: true,
        }),
      }),
    ]);
    expect(JSON.stringify(audited)).not.toMatch(/sk-ant/);
    expect((await stored()).claudeAiOauth.accessToken).toBe("sk-ant-oat01-old-access");
  });

  it("gives no token once the old one expired and the refresh fails (the gateway then refuses)", async () => {
    await store(login(-60_000));
    tokens.answer({ status: 200, body: { unexpected: true } });
    expect(await service().accessToken()).toEqual({ token: undefined, reason: "expired" });
    expect(audited[0]?.details).toMatchObject({ usingStoredToken: false });
  });

  it("says when there is no login or it is not Claude Code's", async () => {
    expect(await service().accessToken()).toEqual({ token: undefined, reason: "none" });
    await writeJobSecret(paths, "credentials", '{"something":"else"}');
    expect(await service().accessToken()).toEqual({ token: undefined, reason: "invalid" });
    expect(tokens.calls).toEqual([]);
  });

  it("keeps a login given anew while the old one refreshed", async () => {
    await store(login(60_000));
    tokens.answer({
      status: 200,
      body: { access_token: "sk-ant-oat01-new-access", expires_in: 3600 },
      delayMs: 300,
    });
    const pending = service().accessToken();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const replaced = login(30 * 86_400_000, { accessToken: "sk-ant-oat01-given-anew" });
    await store(replaced);
    expect(await pending).toEqual({ token: "sk-ant-oat01-new-access" });
    expect(await readFile(paths.secret("credentials"), "utf8")).toBe(JSON.stringify(replaced));
  });
});
