import { request } from "node:http";
import { connect } from "node:net";

export type RawAnswer = { status: number | undefined; head: string };

/**
 * Writes `request` byte for byte to the panel's TCP port (what fetch would refuse to send: a
 * malformed target, a missing Host, a bad chunk) and reads the status line that comes back, if
 * any. A connection the server ends without answering gives `status: undefined`.
 */
export function rawRequest(port: number, request: string | Buffer, waitMs = 10_000): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let received = "";
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(received)?.[1];
      resolve({ status: status ? Number(status) : undefined, head: received.split("\r\n\r\n")[0] ?? "" });
    };
    const timer = setTimeout(done, waitMs);
    socket.on("data", (chunk) => {
      received += chunk.toString("latin1");
      if (received.includes("\r\n\r\n")) done();
    });
    socket.on("error", done);
    socket.on("close", done);
    socket.write(request);
  });
}

/** Writes `request`, then resets the connection (TCP RST) `delayMs` later, mid-answer. */
export function resetAfter(port: number, request: string, delayMs: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.write(request);
      setTimeout(() => {
        socket.resetAndDestroy();
        resolve();
      }, delayMs);
    });
    socket.on("error", () => resolve());
  });
}

/**
 * Sends a body of `bytes` bytes to `path` as fast as the panel takes it, and resolves with its
 * status (undefined if it closed without one). The panel may answer and close before the body has
 * all gone: the write errors that follow are expected.
 */
export function postLarge(
  port: number,
  path: string,
  headers: Record<string, string>,
  bytes: number,
): Promise<number | undefined> {
  return new Promise((resolve) => {
    let status: number | undefined;
    const req = request({
      host: "127.0.0.1",
      port,
      path,
      method: "POST",
      headers: { ...headers, "content-length": String(bytes) },
    });
    req.on("response", (res) => {
      status = res.statusCode;
      res.resume();
      res.on("end", () => resolve(status));
      res.on("error", () => resolve(status));
    });
    req.on("error", () => resolve(status));
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let sent = 0;
    const pump = () => {
      while (sent < bytes) {
        const size = Math.min(chunk.length, bytes - sent);
        sent += size;
        if (!req.write(size === chunk.length ? chunk : chunk.subarray(0, size)))
          return void req.once("drain", pump);
      }
      req.end();
    };
    pump();
  });
}
