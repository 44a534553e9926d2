import { StringDecoder } from "node:string_decoder";
import type { Libpod } from "./libpod";

/**
 * The longest piece of a job's output line, in UTF-16 units (1 Mi characters, at most 3 MiB of UTF-8).
 * A container may print gigabytes without a newline: for a job, whose output is kept whole and counted
 * against its limit, a longer line is cut into pieces of this size, each passed on as a line of its
 * own, so the carry never grows past it and re-splitting stays linear. (An agent's log is cut with a
 * marker instead: `lineCutter`.)
 */
export const maxLineChars = 1024 * 1024;

/**
 * Pure: complete lines, with the carry-over of a partial last line (never `maxChars` or longer). Only
 * the new chunk is searched for newlines, so a long partial line is not split again at every chunk.
 */
export function splitLines(
  carry: string,
  chunk: string,
  maxChars = maxLineChars,
): { lines: string[]; carry: string } {
  const lines: string[] = [];
  let rest = carry;
  let from = 0;
  for (let newline = chunk.indexOf("\n"); newline >= 0; newline = chunk.indexOf("\n", from)) {
    for (const piece of cutLine((rest + chunk.slice(from, newline)).replace(/\r$/, ""), maxChars))
      lines.push(piece);
    rest = "";
    from = newline + 1;
  }
  rest += chunk.slice(from);
  if (rest.length < maxChars) return { lines, carry: rest };
  const pieces = cutLine(rest, maxChars);
  const last = pieces.at(-1) ?? "";
  // A last piece of exactly `maxChars` is whole: passed on now rather than held.
  const keep = last.length < maxChars ? pieces.pop() : undefined;
  for (const piece of pieces) lines.push(piece);
  return { lines, carry: keep ?? "" };
}

/** Pure: a line as pieces of at most `maxChars`, never splitting a surrogate pair. */
function cutLine(line: string, maxChars: number): string[] {
  if (line.length <= maxChars) return [line];
  const pieces: string[] = [];
  let from = 0;
  while (line.length - from > maxChars) {
    let to = from + maxChars;
    const code = line.charCodeAt(to - 1);
    if (code >= 0xd800 && code <= 0xdbff) to--;
    pieces.push(line.slice(from, to));
    from = to;
  }
  pieces.push(line.slice(from));
  return pieces;
}

/**
 * The longest line of an agent's log passed on, in UTF-16 units. A longer line is cut here with a
 * marker and the rest of it read past, never gathered: a Logs view (and the last-lines reads) get
 * 64 KiB of a 50 MB line, not 50 pieces of 1 MiB.
 */
export const maxLogLineChars = 64 * 1024;

/** What ends a line cut at `maxChars`. */
export const cutMarker = (maxChars: number) =>
  ` … [cut: the line goes on past ${maxChars.toLocaleString("en-US")} characters]`;

/**
 * Pure, stateful: text in, complete lines out, each at most `maxChars` (plus the marker). The head of
 * a longer line is passed on as soon as it is known, with the marker; the rest, up to its newline, is
 * skipped. Only the new text is searched for newlines, and the carry stays under `maxChars`.
 */
export function lineCutter(maxChars = maxLogLineChars) {
  let carry = "";
  let cutting = false;
  return {
    push(text: string): string[] {
      const lines: string[] = [];
      let from = 0;
      for (;;) {
        const newline = text.indexOf("\n", from);
        let to = newline < 0 ? text.length : newline;
        if (newline > from && text.charCodeAt(to - 1) === 13) to--;
        if (!cutting) {
          const room = maxChars - carry.length;
          if (to - from > room) {
            lines.push(headOf(carry + text.slice(from, from + room)) + cutMarker(maxChars));
            carry = "";
            cutting = true;
          } else carry += text.slice(from, to);
        }
        if (newline < 0) return lines;
        if (!cutting) lines.push(carry.replace(/\r$/, ""));
        carry = "";
        cutting = false;
        from = newline + 1;
      }
    },
    /** The last line, when the text ended without a newline. */
    end(): string[] {
      const last = cutting ? "" : carry;
      carry = "";
      cutting = false;
      return last ? [last] : [];
    },
  };
}

/** A head of a cut line without half of a surrogate pair at its end. */
function headOf(text: string): string {
  const code = text.charCodeAt(text.length - 1);
  return code >= 0xd800 && code <= 0xdbff ? text.slice(0, -1) : text;
}

/** Most of a log kept in memory for one read, in characters: the newest lines that fit. */
export const maxTailChars = 8 * 1024 * 1024;

/**
 * Pure, stateful: Docker's multiplexed log stream (8-byte headers: stream 1 stdout / 2 stderr, three
 * zero bytes, a big-endian length) as payload pieces, passed on as they arrive: a frame may be as long
 * as the container likes, so it is never gathered whole. A stream that does not start with a header
 * (a TTY) passes through as stdout.
 */
export function logDemuxer() {
  let header = Buffer.alloc(0);
  let remaining = 0;
  let stream: 1 | 2 = 1;
  let raw: boolean | undefined;
  return (chunk: Buffer): { stream: 1 | 2; data: Buffer }[] => {
    if (raw === undefined && chunk.length > 0) raw = chunk[0] !== 1 && chunk[0] !== 2 && chunk[0] !== 0;
    if (raw) return [{ stream: 1, data: chunk }];
    const out: { stream: 1 | 2; data: Buffer }[] = [];
    let offset = 0;
    while (offset < chunk.length) {
      if (remaining > 0) {
        const take = Math.min(remaining, chunk.length - offset);
        out.push({ stream, data: chunk.subarray(offset, offset + take) });
        remaining -= take;
        offset += take;
        continue;
      }
      const need = 8 - header.length;
      header = Buffer.concat([header, chunk.subarray(offset, offset + need)]);
      offset += Math.min(need, chunk.length - offset);
      if (header.length < 8) break;
      stream = header[0] === 2 ? 2 : 1;
      remaining = header.readUInt32BE(4);
      header = Buffer.alloc(0);
    }
    return out;
  };
}

/**
 * Reads a container's log stream as lines (stdout and stderr together, each line cut at
 * `maxLogLineChars`), calling `onLines` per chunk. A throwing `onLines` is logged, never thrown into the
 * stream's handler (that would end the panel).
 */
export function readLogLines(
  stream: NodeJS.ReadableStream,
  options: { onLines: (lines: string[]) => void; onEnd: () => void },
) {
  const demux = logDemuxer();
  const decoder = new StringDecoder("utf8");
  const cutter = lineCutter();
  let ended = false;
  const pass = (lines: string[]) => {
    if (lines.length === 0) return;
    try {
      options.onLines(lines);
    } catch (error) {
      console.error(`claw: a log reader failed: ${(error as Error).message}`);
    }
  };
  stream.on("data", (chunk: Buffer) => {
    for (const piece of demux(chunk)) pass(cutter.push(decoder.write(piece.data)));
  });
  const end = () => {
    if (ended) return;
    ended = true;
    pass([...cutter.push(decoder.end()), ...cutter.end()]);
    try {
      options.onEnd();
    } catch (error) {
      console.error(`claw: a log reader failed: ${(error as Error).message}`);
    }
  };
  stream.on("end", end);
  stream.on("close", end);
  stream.on("error", end);
}

/** The last `tail` lines of a container's log, read forward and at most `maxTailChars` of them, newest kept.
 * The whole log is read forward and the tail kept here: Podman 4.3's own `tail` takes minutes on a log
 * holding a line of hundreds of MB (it rejoins the partial entries backwards), while reading forward
 * takes seconds.
 */
export async function readLogTail(
  libpod: Libpod,
  id: string,
  options: { tail: number; timestamps: boolean },
): Promise<string[]> {
  const stream = await libpod.openLogs(id, { follow: false, timestamps: options.timestamps });
  const kept: string[] = [];
  let head = 0;
  let chars = 0;
  await new Promise<void>((resolve) =>
    readLogLines(stream, {
      onLines(lines) {
        for (const line of lines) {
          kept.push(line);
          chars += line.length;
          while (kept.length - head > options.tail || chars > maxTailChars)
            chars -= kept[head++]?.length ?? 0;
        }
        if (head > 4096) {
          kept.splice(0, head);
          head = 0;
        }
      },
      onEnd: resolve,
    }),
  );
  return kept.slice(head);
}
