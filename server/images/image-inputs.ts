import { createHash } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { AppError } from "../errors";

export type InputFile = {
  /** Relative to the context dir, with `/` separators. */
  path: string;
  content: Uint8Array;
  /** The executable bit is part of the image (COPY keeps it). */
  executable: boolean;
};

export type ImageInputs = {
  files: InputFile[];
  /** Pinned versions and anything else the image depends on, e.g. `{ openclaw: "2026.9.6" }`. */
  pins: Record<string, string>;
};

/** The short form used as an image tag. */
export const inputsTagLength = 16;

/**
 * Pure: sha256 over every file (path, mode bit, content) and every pin, each length-prefixed so
 * no two different inputs share a byte stream; order-independent, so a readdir order never matters.
 */
export function hashImageInputs(inputs: ImageInputs): string {
  const hash = createHash("sha256");
  const field = (bytes: Uint8Array | string) => {
    const data = typeof bytes === "string" ? Buffer.from(bytes, "utf8") : bytes;
    hash.update(`${data.length}:`);
    hash.update(data);
  };
  field("claw-image-inputs/1");
  const files = [...inputs.files].sort((a, b) => compare(a.path, b.path));
  for (let i = 1; i < files.length; i++) {
    if (files[i]?.path === files[i - 1]?.path) {
      throw new AppError("INTERNAL", `Duplicate image input ${files[i]?.path}`, {
        fix: "Give each file of an image context one path.",
      });
    }
  }
  field(`files:${files.length}`);
  for (const file of files) {
    field(file.path);
    field(file.executable ? "x" : "-");
    field(file.content);
  }
  const pins = Object.entries(inputs.pins).sort(([a], [b]) => compare(a, b));
  field(`pins:${pins.length}`);
  for (const [key, value] of pins) {
    field(key);
    field(value);
  }
  return hash.digest("hex");
}

/** Pure: the image tag for an inputs hash. */
export function inputsTag(hash: string): string {
  return hash.slice(0, inputsTagLength);
}

/** Edge: every regular file under `dir` (recursively) as an input file. */
export async function readContextFiles(dir: string): Promise<InputFile[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files: InputFile[] = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    const info = await stat(full);
    files.push({
      path: relative(dir, full).split(sep).join("/"),
      content: await readFile(full),
      executable: (info.mode & 0o111) !== 0,
    });
  }
  return files;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
