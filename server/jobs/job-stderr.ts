import { closeSync, fstatSync, openSync, writeSync } from "node:fs";

/** Of a job's stderr kept on disk; the rest is dropped after a marker line. */
export const maxStderrBytes = 1024 * 1024;
export const stderrCutMarker = `\n[claw: stderr cut at ${maxStderrBytes} bytes; the rest was dropped]\n`;

/**
 * The job's stderr on disk, at most `maxStderrBytes` and then a marker line; written synchronously
 * (it is small), so nothing is buffered in memory. After a panel restart Podman replays stderr from
 * the start: the bytes already stored are skipped.
 */
export function cappedStderr(path: string, options: { append: boolean }) {
  const fd = openSync(path, options.append ? "a" : "w", 0o600);
  let written = options.append ? fstatSync(fd).size : 0;
  let skip = written;
  let cut = written > maxStderrBytes;
  let closed = false;
  return {
    write(data: Buffer) {
      if (closed) return;
      let rest = data;
      if (skip > 0) {
        const skipped = Math.min(skip, rest.length);
        skip -= skipped;
        rest = rest.subarray(skipped);
      }
      if (cut || rest.length === 0) return;
      const room = maxStderrBytes - written;
      writeSync(fd, rest.subarray(0, room));
      written += Math.min(room, rest.length);
      if (rest.length > room) {
        writeSync(fd, stderrCutMarker);
        cut = true;
      }
    },
    close() {
      if (closed) return;
      closed = true;
      closeSync(fd);
    },
  };
}
