import { mkdir, readFile, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { z } from "zod";
import type { AuditLog } from "../audit/audit-log";
import { AppError } from "../errors";
import { writeFileAtomic } from "../fs/write-file-atomic";

export const defaultBaseUrl = "https://api.anthropic.com";

const httpUrl = z.url({ protocol: /^https?$/ });
export const sessionIdleHoursSchema = z
  .number()
  .min(1)
  .max(24 * 365);
export const webhookSchema = z.strictObject({
  /** OpenClaw's `/hooks/agent` endpoint, e.g. http://127.0.0.1:18789/hooks/agent. */
  url: httpUrl,
  channel: z.string().min(1).max(40).default("last"),
  deliver: z.boolean().default(true),
});

/** Non-secret settings, in CLAW_HOME/jobs/settings.json. Secrets sit beside it, 0600, one per file. */
export const jobSettingsSchema = z.strictObject({
  /** Where Claude Code sends `POST /v1/messages` (a gateway, or a fake in tests). */
  baseUrl: httpUrl.default(defaultBaseUrl),
  /** Sessions without activity for this long are cleaned up (their Claude config; the workspace stays). */
  sessionIdleHours: sessionIdleHoursSchema.default(24 * 7),
  webhook: webhookSchema.nullable().default(null),
});
export type JobSettings = z.infer<typeof jobSettingsSchema>;

export type JobSecretName = "apiKey" | "credentials" | "webhookToken";
const secretFiles: Record<Exclude<JobSecretName, "apiKey">, string> = {
  credentials: "claude-credentials.json",
  webhookToken: "webhook-token",
};

/** The API key jobs use is the panel's secret of this name (CLAW_HOME/secrets), shared with agents. */
export const jobModelSecret = "anthropic-api-key";

export function jobsPaths(jobsDir: string) {
  // CLAW_HOME/jobs/../secrets: the one place model keys are kept (server/secrets/secret-store.ts).
  const panelSecrets = join(dirname(jobsDir), "secrets");
  return {
    settings: join(jobsDir, "settings.json"),
    secret: (name: JobSecretName) =>
      name === "apiKey" ? join(panelSecrets, jobModelSecret) : join(jobsDir, "secrets", secretFiles[name]),
    session: (id: string) => {
      const dir = join(jobsDir, "sessions", id);
      return {
        dir,
        workspace: join(dir, "workspace"),
        claude: join(dir, "claude"),
        egress: join(dir, "run", "egress"),
        model: join(dir, "run", "model"),
      };
    },
    run: (id: string) => {
      const dir = join(jobsDir, "runs", id);
      return {
        dir,
        events: join(dir, "events.jsonl"),
        stderr: join(dir, "stderr.log"),
        metrics: join(dir, "metrics.jsonl"),
      };
    },
  };
}
export type JobsPaths = ReturnType<typeof jobsPaths>;

export async function readJobSettings(paths: JobsPaths): Promise<JobSettings> {
  const text = await readFile(paths.settings, "utf8").catch(() => "{}");
  const parsed = jobSettingsSchema.safeParse(JSON.parse(text));
  if (!parsed.success)
    throw new AppError("INTERNAL", `${paths.settings} is not valid: ${parsed.error.issues[0]?.message}`, {
      fix: "Set the job settings again (`claw jobs config`), or delete the file for the defaults.",
    });
  return parsed.data;
}

export async function writeJobSettings(paths: JobsPaths, settings: JobSettings): Promise<void> {
  await mkdir(dirname(paths.settings), { recursive: true, mode: 0o700 });
  await writeFileAtomic(paths.settings, `${JSON.stringify(settings, null, 2)}\n`, 0o600);
}

export async function readJobSecret(paths: JobsPaths, name: JobSecretName): Promise<string | undefined> {
  const text = await readFile(paths.secret(name), "utf8").catch(() => undefined);
  return text === undefined || text.trim() === "" ? undefined : name === "credentials" ? text : text.trim();
}

/** Stores a secret 0600, or removes it when `value` is null. */
export async function writeJobSecret(
  paths: JobsPaths,
  name: JobSecretName,
  value: string | null,
): Promise<void> {
  await mkdir(dirname(paths.secret(name)), { recursive: true, mode: 0o700 });
  if (value === null) return rm(paths.secret(name), { force: true });
  if (name === "credentials") {
    try {
      JSON.parse(value);
    } catch {
      throw new AppError("BAD_REQUEST", "The OAuth credentials file is not JSON", {
        fix: "Give the `.credentials.json` file Claude Code wrote after `claude login`.",
      });
    }
  }
  await writeFileAtomic(paths.secret(name), name === "credentials" ? value : `${value.trim()}\n`, 0o600);
}

/** The settings and which secrets are set (never their values). */
export async function describeJobSettings(paths: JobsPaths) {
  return {
    ...(await readJobSettings(paths)),
    apiKeySet: Boolean(await readJobSecret(paths, "apiKey")),
    credentialsSet: Boolean(await readJobSecret(paths, "credentials")),
    webhookTokenSet: Boolean(await readJobSecret(paths, "webhookToken")),
  };
}

/** A change to the settings: a setting left out keeps its value; a secret given as null is removed. */
export const jobSettingsChangeSchema = z.object({
  // No defaults here: a setting left out keeps its value.
  baseUrl: httpUrl.optional(),
  sessionIdleHours: sessionIdleHoursSchema.optional(),
  webhook: webhookSchema.nullable().optional(),
  apiKey: z.string().trim().min(1).max(4096).nullish(),
  credentials: z.string().min(2).max(65_536).nullish(),
  webhookToken: z.string().trim().min(1).max(4096).nullish(),
});
export type JobSettingsChange = z.infer<typeof jobSettingsChangeSchema>;

/** Writes the changed settings and secrets, and audits what changed (never a secret's value). */
export async function changeJobSettings(
  deps: { paths: JobsPaths; audit: AuditLog },
  change: JobSettingsChange,
  actor: string,
) {
  const { paths } = deps;
  const current = await readJobSettings(paths);
  const next = jobSettingsSchema.parse({
    baseUrl: change.baseUrl ?? current.baseUrl,
    sessionIdleHours: change.sessionIdleHours ?? current.sessionIdleHours,
    webhook: change.webhook === undefined ? current.webhook : change.webhook,
  });
  await writeJobSettings(paths, next);
  const secrets = {
    apiKey: change.apiKey,
    credentials: change.credentials,
    webhookToken: change.webhookToken,
  };
  for (const [name, value] of Object.entries(secrets))
    if (value !== undefined) await writeJobSecret(paths, name as keyof typeof secrets, value);
  await deps.audit.record({
    category: "job",
    action: "job_settings_changed",
    actor,
    outcome: "ok",
    details: {
      baseUrl: next.baseUrl,
      sessionIdleHours: next.sessionIdleHours,
      webhook: next.webhook?.url ?? null,
      secrets: Object.fromEntries(
        Object.entries(secrets).flatMap(([name, value]) =>
          value === undefined ? [] : [[name, value === null ? "removed" : "set"]],
        ),
      ),
    },
  });
  return { ok: true };
}
