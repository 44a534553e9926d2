import { chmod, mkdir, open, stat } from "node:fs/promises";
import type { ClawPaths } from "../config";

/** CLAW_HOME holds keys, tokens and the DB: only its owner may enter it. */
export async function ensureClawHome(paths: ClawPaths): Promise<void> {
  await mkdir(paths.home, { recursive: true, mode: 0o700 });
  const info = await stat(paths.home);
  if (!info.isDirectory()) throw new Error(`CLAW_HOME ${paths.home} is not a directory`);
  if ((info.mode & 0o077) !== 0) await chmod(paths.home, 0o700);
  await mkdir(paths.run, { recursive: true, mode: 0o700 });
  // SQLite gives its -wal and -shm files the database file's mode: make that 0600 from the start.
  await (await open(paths.db, "a", 0o600)).close();
  await chmod(paths.db, 0o600);
}
