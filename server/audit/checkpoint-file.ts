import { mkdir, open, rename } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * Appends lines and makes them durable. A write the disk cannot finish (ENOSPC) is cut back to
 * where it began, so a full disk never leaves half a line for the next append to continue.
 */
export async function appendLinesDurably(path: string, lines: string[]): Promise<void> {
  if (lines.length === 0) return;
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const handle = await open(path, "a", 0o600);
  try {
    const { size } = await handle.stat();
    try {
      await handle.writeFile(lines.map((line) => `${line}\n`).join(""));
      await handle.sync();
    } catch (error) {
      await handle.truncate(size).catch(() => {}); // the start's recovery cuts what this cannot
      throw error;
    }
  } finally {
    await handle.close();
  }
}

/** Replaces the file's content as one step: a crash leaves the old file or the new, never a mix. */
export async function rewriteDurably(path: string, lines: string[]): Promise<void> {
  const temporary = `${path}.rewrite`;
  const handle = await open(temporary, "w", 0o600);
  try {
    await handle.writeFile(lines.map((line) => `${line}\n`).join(""));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, path);
  const folder = await open(dirname(path), "r");
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}
