import { z } from "zod";
import type { AuditLog } from "../audit/audit-log";

/** Where Claude Code 2.1.330 refreshes its login, and the client id it sends (both from its binary). */
export const oauthTokenUrl = "https://platform.claude.com/v1/oauth/token";
export const oauthClientId = "9d1c250a-e61b-44d9-88ed-5944d1962f5e";
/** A token that expires sooner than this is refreshed first (Claude Code's own margin). */
export const refreshAheadMs = 5 * 60_000;
/** After a failed refresh, requests use what is stored for this long before the next try. */
export const retryAfterFailureMs = 30_000;
const requestTimeoutMs = 30_000;

/**
 * The shape of Claude Code's `.credentials.json` (what `claude login` writes): unknown fields pass,
 * the token fields must be there and be sane.
 */
export const oauthCredentialsSchema = z.looseObject({
  claudeAiOauth: z.looseObject({
    accessToken: z.string().min(1).max(8192),
    refreshToken: z.string().min(1).max(8192).optional(),
    /** Milliseconds since the epoch. */
    expiresAt: z.number().optional(),
    scopes: z.array(z.string().max(200)).max(50).optional(),
  }),
});
type OAuthCredentials = z.infer<typeof oauthCredentialsSchema>;

const tokenAnswerSchema = z.looseObject({
  access_token: z.string().min(1).max(8192),
  /** Absent: the old refresh token stays good. */
  refresh_token: z.string().min(1).max(8192).optional(),
  /** Seconds. */
  expires_in: z
    .number()
    .positive()
    .max(10 * 365 * 86_400),
  scope: z.string().max(10_000).optional(),
});

/** A token to send, or why there is none. */
export type OAuthAccess = { token: string } | { token: undefined; reason: "none" | "invalid" | "expired" };

export type OAuthLogin = {
  /** The stored login's access token, refreshed first when it expires within 5 minutes. */
  accessToken(): Promise<OAuthAccess>;
};

export type OAuthLoginDeps = {
  /** The stored `.credentials.json` text (undefined when none is set). */
  read: () => Promise<string | undefined>;
  /** Stores the updated text (0600). */
  write: (text: string) => Promise<void>;
  audit: Pick<AuditLog, "record">;
  /** Defaults to CLAW_ANTHROPIC_OAUTH_TOKEN_URL (tests: a fake on loopback), else Anthropic's. */
  tokenUrl?: string;
};

function parse(text: string): OAuthCredentials | undefined {
  try {
    return oauthCredentialsSchema.parse(JSON.parse(text));
  } catch {
    return undefined;
  }
}

const needsRefresh = (login: OAuthCredentials, now: number) => {
  const { expiresAt } = login.claudeAiOauth;
  return expiresAt !== undefined && expiresAt - now < refreshAheadMs;
};

/**
 * A Claude Code OAuth login kept by the panel, never by a container: the model gateway asks it for
 * the access token per request, and it refreshes the token the way Claude Code does, one refresh at
 * a time, writing the new tokens back (unknown fields kept). Refresh tokens rotate: a login the panel
 * keeps should not also be used by a Claude Code elsewhere, or one of them loses it.
 */
export function createOAuthLogin(deps: OAuthLoginDeps): OAuthLogin {
  const tokenUrl =
    deps.tokenUrl ?? (process.env.CLAW_ANTHROPIC_OAUTH_TOKEN_URL?.trim() || undefined) ?? oauthTokenUrl;
  let refreshing: Promise<OAuthAccess> | undefined;
  let failedAt = Number.NEGATIVE_INFINITY;

  const audit = (outcome: "ok" | "error", action: string, details: Record<string, unknown>) =>
    deps.audit
      .record({ category: "job", action, actor: "system", agent: null, outcome, details: details as never })
      .catch((error: Error) => console.error(`claw: could not audit ${action}: ${error.message}`));

  /** What the stored login gives without a refresh: its token while it is valid. */
  const asStored = (login: OAuthCredentials): OAuthAccess => {
    const { accessToken, expiresAt } = login.claudeAiOauth;
    return expiresAt === undefined || expiresAt > Date.now()
      ? { token: accessToken }
      : { token: undefined, reason: "expired" };
  };

  /** Under the single flight: reads the login again (a refresh that just ended already wrote it). */
  async function refresh(): Promise<OAuthAccess> {
    const text = await deps.read();
    const login = text === undefined ? undefined : parse(text);
    if (!text || !login) return { token: undefined, reason: text ? "invalid" : "none" };
    const now = Date.now();
    const { refreshToken, scopes } = login.claudeAiOauth;
    if (!needsRefresh(login, now) || !refreshToken || now - failedAt < retryAfterFailureMs)
      return asStored(login);
    let status: number | null = null;
    try {
      const res = await fetch(tokenUrl, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({
          grant_type: "refresh_token",
          refresh_token: refreshToken,
          client_id: oauthClientId,
          scope: (scopes ?? []).join(" "),
        }),
        signal: AbortSignal.timeout(requestTimeoutMs),
        redirect: "error",
      });
      status = res.status;
      const body = (await res.text()).slice(0, 64 * 1024);
      if (!res.ok) throw new Error(`the token endpoint answered ${res.status}${oauthError(body)}`);
      const answer = tokenAnswerSchema.safeParse(JSON.parse(body));
      if (!answer.success) throw new Error("the token endpoint's answer has no access_token or expires_in");
      const expiresAt = Date.now() + answer.data.expires_in * 1000;
      const updated = {
        // The text as stored, not the parsed shape: every field Claude Code keeps there stays.
        ...(JSON.parse(text) as Record<string, unknown>),
        claudeAiOauth: {
          ...(JSON.parse(text) as OAuthCredentials).claudeAiOauth,
          accessToken: answer.data.access_token,
          refreshToken: answer.data.refresh_token ?? refreshToken,
          expiresAt,
          ...(answer.data.scope ? { scopes: answer.data.scope.split(" ").filter(Boolean) } : {}),
        },
      };
      // A login given anew while this one refreshed wins: this token still serves the request.
      if ((await deps.read()) === text) await deps.write(JSON.stringify(updated));
      failedAt = Number.NEGATIVE_INFINITY;
      await audit("ok", "job_login_refreshed", {
        expiresAt: new Date(expiresAt).toISOString(),
        refreshTokenRotated: answer.data.refresh_token !== undefined,
      });
      return { token: answer.data.access_token };
    } catch (error) {
      failedAt = Date.now();
      const fallback = asStored(login);
      await audit("error", "job_login_refresh_failed", {
        status,
        error: (error instanceof Error ? error.message : String(error)).slice(0, 300),
        usingStoredToken: fallback.token !== undefined,
        expiresAt: new Date(login.claudeAiOauth.expiresAt ?? 0).toISOString(),
      });
      return fallback;
    }
  }

  return {
    async accessToken() {
      const text = await deps.read();
      if (!text) return { token: undefined, reason: "none" };
      const login = parse(text);
      if (!login) return { token: undefined, reason: "invalid" };
      if (!needsRefresh(login, Date.now()) || !login.claudeAiOauth.refreshToken) return asStored(login);
      refreshing ??= refresh().finally(() => {
        refreshing = undefined;
      });
      return refreshing;
    },
  };
}

/** The OAuth error code and description of a refusal (RFC 6749 §5.2), never the whole body. */
function oauthError(body: string): string {
  try {
    const { error, error_description } = JSON.parse(body) as Record<string, unknown>;
    const parts = [error, error_description].filter((part) => typeof part === "string") as string[];
    return parts.length ? `: ${parts.join(": ").slice(0, 200)}` : "";
  } catch {
    return "";
  }
}
