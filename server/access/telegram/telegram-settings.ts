import { mkdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { writeFileAtomic } from "../../fs/write-file-atomic";

/** What BotFather hands out: the bot's numeric id, a colon, and a secret. */
export const botTokenSchema = z
  .string()
  .trim()
  .regex(/^\d{1,20}:[A-Za-z0-9_-]{20,100}$/, "a bot token looks like 123456789:AA… (from @BotFather)");
export const apiRootSchema = z.url({ protocol: /^https?$/ }).transform((url) => url.replace(/\/+$/, ""));

/** Non-secret settings, in CLAW_HOME/access/telegram.json; the token sits beside it, 0600. */
const settingsSchema = z.object({
  /** A Bot API server other than Telegram's own (a local `telegram-bot-api`, or a fake in tests). */
  apiRoot: z.string().nullable().default(null),
  /** From getMe when the token was set: pairing links need it even while the bot is down. */
  username: z.string().nullable().default(null),
  botId: z.number().nullable().default(null),
});
export type TelegramSettings = z.infer<typeof settingsSchema>;

export function telegramPaths(accessDir: string) {
  return {
    settings: join(accessDir, "telegram.json"),
    token: join(accessDir, "secrets", "telegram-bot-token"),
  };
}
export type TelegramPaths = ReturnType<typeof telegramPaths>;

export async function readTelegramSettings(paths: TelegramPaths): Promise<TelegramSettings> {
  const text = await readFile(paths.settings, "utf8").catch(() => "{}");
  const parsed = settingsSchema.safeParse(JSON.parse(text));
  return parsed.success ? parsed.data : settingsSchema.parse({});
}

export async function readBotToken(paths: TelegramPaths): Promise<string | undefined> {
  const text = await readFile(paths.token, "utf8").catch(() => "");
  return text.trim() || undefined;
}

/** Writes the settings and the token (0600), or removes both when `token` is null. */
export async function writeTelegramSettings(
  paths: TelegramPaths,
  settings: TelegramSettings,
  token: string | null,
): Promise<void> {
  if (token === null) {
    await rm(paths.token, { force: true });
    await rm(paths.settings, { force: true });
    return;
  }
  await mkdir(join(paths.token, ".."), { recursive: true, mode: 0o700 });
  await writeFileAtomic(paths.token, `${token}\n`, 0o600);
  await writeFileAtomic(paths.settings, `${JSON.stringify(settings, null, 2)}\n`, 0o600);
}

/** Enough of the token to tell two apart, never enough to use: the bot id and the last four characters. */
export function tokenHint(token: string): string {
  return `${token.split(":")[0]}:…${token.slice(-4)}`;
}
