import { mkdir, readdir, readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import type { AuditLog } from "../audit/audit-log";
import { AppError } from "../errors";
import { writeFileAtomic } from "../fs/write-file-atomic";
import { dnsLabel } from "../policy/template-schema";

/**
 * Write-only secrets: one 0600 file per name in CLAW_HOME/secrets (0700). The panel reads a value
 * only to use it (the model gateway injects model keys; a template's env secrets go into its
 * container at start); nothing shows one again. Names are DNS labels, so a name is never a path.
 */
export type SecretStore = ReturnType<typeof createSecretStore>;

export const secretValueSchema = z
  .string()
  .max(65_536, "a secret is at most 64 KiB")
  .transform((value) => value.trim())
  .refine((value) => value.length > 0, "the value is empty");

export type SecretInfo = { name: string; setAt: Date };

export function parseSecretName(name: string): string {
  const parsed = dnsLabel.safeParse(name);
  if (!parsed.success)
    throw new AppError("BAD_REQUEST", `"${name.slice(0, 60)}" is not a secret name`, {
      fix: "Use lowercase letters, digits and '-', starting with a letter (for example anthropic-api-key).",
    });
  return parsed.data;
}

export function createSecretStore(deps: { dir: string; audit: AuditLog }) {
  const pathOf = (name: string) => join(deps.dir, parseSecretName(name));
  return {
    /** The value, for the panel's own use; undefined when it is not set. */
    async read(name: string): Promise<string | undefined> {
      const text = await readFile(pathOf(name), "utf8").catch(() => undefined);
      const value = text?.trim();
      return value ? value : undefined;
    },
    async has(name: string): Promise<boolean> {
      return (await this.read(name)) !== undefined;
    },
    async list(): Promise<SecretInfo[]> {
      const names = await readdir(deps.dir).catch(() => [] as string[]);
      const infos = await Promise.all(
        names
          .filter((name) => dnsLabel.safeParse(name).success)
          .map(async (name) => {
            const info = await stat(join(deps.dir, name)).catch(() => undefined);
            return info?.isFile() ? { name, setAt: info.mtime } : undefined;
          }),
      );
      return infos.filter((info) => info !== undefined).sort((a, b) => a.name.localeCompare(b.name));
    },
    async set(name: string, value: string, actor: string): Promise<void> {
      const parsed = secretValueSchema.safeParse(value);
      if (!parsed.success)
        throw new AppError(
          "BAD_REQUEST",
          `The value for ${name} is not usable: ${parsed.error.issues[0]?.message}`,
          {
            fix: "Paste the whole value (a key or token); it is stored as given, without spaces at the ends.",
          },
        );
      const path = pathOf(name);
      const existed = await this.has(name);
      await mkdir(deps.dir, { recursive: true, mode: 0o700 });
      await writeFileAtomic(path, `${parsed.data}\n`, 0o600);
      await deps.audit.record({
        category: "secrets",
        action: existed ? "secret_replaced" : "secret_set",
        actor,
        agent: null,
        outcome: "ok",
        details: { secret: name },
      });
    },
    /** Moves a secret kept elsewhere by an older panel (jobs' own API key) here, unless this one is set. */
    async adopt(name: string, legacyPath: string): Promise<void> {
      if (await this.has(name)) return;
      const value = (await readFile(legacyPath, "utf8").catch(() => ""))?.trim();
      if (!value) return;
      await mkdir(deps.dir, { recursive: true, mode: 0o700 });
      await writeFileAtomic(pathOf(name), `${value}\n`, 0o600);
      await rm(legacyPath, { force: true });
    },
    /** Removes the secret; false when there was none. */
    async delete(name: string, actor: string): Promise<boolean> {
      const path = pathOf(name);
      if (!(await this.has(name))) return false;
      await rm(path, { force: true });
      await deps.audit.record({
        category: "secrets",
        action: "secret_deleted",
        actor,
        agent: null,
        outcome: "ok",
        details: { secret: name },
      });
      return true;
    },
  };
}
