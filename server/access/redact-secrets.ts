import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { ClawPaths } from "../config";
import { jobsPaths, readJobSecret } from "../jobs/job-settings";
import { readBotToken, telegramPaths } from "./telegram/telegram-settings";

/** A credential the panel holds, by what it is (the label goes into the audit log, never the value). */
export type KnownSecret = { label: string; value: string };

export const redactedMark = "[redacted]";
/** Shorter values would match ordinary words; every secret the panel makes or stores is far longer. */
const minSecretChars = 12;
/** A cut-off piece of a secret at the text's edge (a reply clipped to its last lines) is redacted from this length on. */
const minFragmentChars = 8;

/** Shapes of credentials the panel may not know by value (a key pasted into a prompt, another bot's token). */
const secretShapes: { label: string; pattern: RegExp }[] = [
  { label: "an Anthropic API key", pattern: /sk-ant-[A-Za-z0-9_-]{16,}/g },
  { label: "a Telegram bot token", pattern: /\b\d{6,12}:[A-Za-z0-9_-]{30,}/g },
];

/**
 * Pure: `text` with every known secret, and anything shaped like one, replaced by `[redacted]`;
 * `found` names what was replaced (labels, no values). A secret cut off at the start or the end of
 * the text (what clipping leaves of it) is redacted too.
 */
export function redactSecrets(text: string, secrets: KnownSecret[]): { text: string; found: string[] } {
  const found = new Set<string>();
  const usable = secrets
    .filter((secret) => secret.value.length >= minSecretChars)
    .sort((a, b) => b.value.length - a.value.length);
  let result = text;
  for (const secret of usable) {
    if (!result.includes(secret.value)) continue;
    result = result.split(secret.value).join(redactedMark);
    found.add(secret.label);
  }
  for (const shape of secretShapes)
    result = result.replace(shape.pattern, () => {
      found.add(shape.label);
      return redactedMark;
    });
  for (const secret of usable) {
    const edges = redactEdges(result, secret.value);
    if (edges === result) continue;
    result = edges;
    found.add(`${secret.label} (in part)`);
  }
  return { text: result, found: [...found] };
}

/** Pure: the longest tail of `secret` that begins the text (after a clip mark) and head that ends it, redacted. */
function redactEdges(text: string, secret: string): string {
  let result = text;
  const lead = /^[…\s]*/.exec(result)?.[0] ?? "";
  for (let length = secret.length - 1; length >= minFragmentChars; length--) {
    if (result.startsWith(secret.slice(-length), lead.length)) {
      result = `${lead}${redactedMark}${result.slice(lead.length + length)}`;
      break;
    }
  }
  const trail = /[…\s]*$/.exec(result)?.[0] ?? "";
  const body = result.slice(0, result.length - trail.length);
  for (let length = secret.length - 1; length >= minFragmentChars; length--) {
    if (body.endsWith(secret.slice(0, length))) {
      result = `${body.slice(0, body.length - length)}${redactedMark}${trail}`;
      break;
    }
  }
  return result;
}

const readTrimmed = (path: string) =>
  readFile(path, "utf8").then(
    (text) => text.trim() || undefined,
    () => undefined,
  );

/** The values under token-like keys anywhere in a JSON value (the tokens in an OAuth credentials file, not its scopes). */
function jsonSecrets(value: unknown, into: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) jsonSecrets(item, into);
  else if (value && typeof value === "object")
    for (const [key, item] of Object.entries(value)) {
      if (typeof item === "string" && /token|secret|key|password/i.test(key)) into.push(item);
      else jsonSecrets(item, into);
    }
  return into;
}

/**
 * Every credential the panel holds, read fresh (a key set a second ago is redacted too): the
 * panel's secrets (model keys among them), the tokens inside the stored Claude OAuth credentials, the job webhook token, the
 * Telegram bot token, each agent's Gateway token and the panel's own token. All live in
 * panel-owned directories no container can write.
 */
export async function loadKnownSecrets(paths: ClawPaths): Promise<KnownSecret[]> {
  const jobs = jobsPaths(paths.jobs);
  const secrets: KnownSecret[] = [];
  const add = (label: string, value: string | undefined) => {
    if (value) secrets.push({ label, value });
  };
  // The panel's secrets (`claw secrets`: model keys and template env secrets), each by its name.
  for (const name of await readdir(paths.secrets).catch(() => [] as string[]))
    add(`the secret ${name}`, await readTrimmed(join(paths.secrets, name)));
  add("the job webhook token", await readJobSecret(jobs, "webhookToken").catch(() => undefined));
  const credentials = await readJobSecret(jobs, "credentials").catch(() => undefined);
  if (credentials) {
    try {
      for (const value of jsonSecrets(JSON.parse(credentials))) add("the Claude OAuth credentials", value);
    } catch {
      add("the Claude OAuth credentials", credentials.trim());
    }
  }
  add("the Telegram bot token", await readBotToken(telegramPaths(paths.access)));
  add("the panel token", await readTrimmed(paths.panelToken));
  const agents = await readdir(paths.agents).catch(() => [] as string[]);
  for (const name of agents)
    add(
      `the Gateway token of ${name}`,
      await readTrimmed(join(paths.agents, name, "secrets", "gateway-token")),
    );
  return secrets;
}
