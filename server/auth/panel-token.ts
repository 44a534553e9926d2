import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { chmod, readFile, stat } from "node:fs/promises";
import { writeFileAtomic } from "../fs/write-file-atomic";

const tokenPattern = /^[A-Za-z0-9_-]{43,}$/;

/** Reads the panel token, creating it (0600) on first start; a readable-by-others file is tightened. */
export async function ensurePanelToken(path: string): Promise<string> {
  const existing = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  const trimmed = existing?.trim();
  if (trimmed && tokenPattern.test(trimmed)) {
    const info = await stat(path);
    if ((info.mode & 0o077) !== 0) await chmod(path, 0o600);
    return trimmed;
  }
  const token = randomBytes(32).toString("base64url");
  await writeFileAtomic(path, `${token}\n`, 0o600);
  return token;
}

/** Constant-time comparison that also hides the length of the secret. */
export function tokensEqual(candidate: string, secret: string): boolean {
  const a = createHash("sha256").update(candidate).digest();
  const b = createHash("sha256").update(secret).digest();
  return timingSafeEqual(a, b);
}

export function loginUrl(port: number, token: string): string {
  return `http://127.0.0.1:${port}/login#token=${token}`;
}
