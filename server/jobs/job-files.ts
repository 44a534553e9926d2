import { readFile } from "node:fs/promises";

export const jobIdPattern = /^j-[a-z2-7]{10}$/;
export const sessionIdPattern = /^s-[a-z2-7]{10}$/;

/** The whole lines of a job's events file (a partial last line, from a crash mid-write, is left out). */
export async function readEventLines(path: string): Promise<string[]> {
  const text = await readFile(path, "utf8").catch(() => "");
  const lines = text.split("\n");
  lines.pop();
  return lines;
}

/** A stored line as an event: the JSON Claude Code printed, or `{type:"raw"}` for anything else. */
export function eventOfLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return { type: "raw", text: line };
  }
}

/** The last `bytes` of a text file, from a line start when possible. */
export async function readTail(path: string, bytes: number): Promise<string> {
  const text = await readFile(path, "utf8").catch(() => "");
  if (text.length <= bytes) return text;
  const tail = text.slice(-bytes);
  const newline = tail.indexOf("\n");
  return newline >= 0 && newline < tail.length - 1 ? tail.slice(newline + 1) : tail;
}
