import { randomBytes } from "node:crypto";
import type { Socket } from "node:net";
import fc from "fast-check";
import WebSocket from "ws";
import { oddNumber, oddString } from "./fuzz-inputs";

export type SocketAction =
  | { kind: "text"; data: string }
  | { kind: "binary"; data: Uint8Array }
  | { kind: "huge"; bytes: number; binary: boolean }
  /** Bytes written under the WebSocket layer: a frame the `ws` client would never send. */
  | { kind: "raw"; frame: Buffer }
  | { kind: "ping" }
  | { kind: "pause"; ms: number };

/** How the client leaves: politely, by dropping the TCP connection, or before the upgrade completes. */
export type SocketEnding = "close" | "close-code" | "terminate" | "before-open";

/** Pure: one client frame, masked as a client's must be (unless `masked` is false, a protocol error). */
export function clientFrame(
  opcode: number,
  payload: Buffer,
  options: { fin?: boolean; rsv?: number; masked?: boolean } = {},
) {
  const { fin = true, rsv = 0, masked = true } = options;
  const length = payload.length;
  const head = [((fin ? 0x80 : 0) | (rsv << 4) | opcode) & 0xff];
  const maskBit = masked ? 0x80 : 0;
  if (length < 126) head.push(maskBit | length);
  else if (length < 65_536) head.push(maskBit | 126, length >> 8, length & 0xff);
  else {
    const big = Buffer.alloc(8);
    big.writeBigUInt64BE(BigInt(length));
    head.push(maskBit | 127, ...big);
  }
  if (!masked) return Buffer.concat([Buffer.from(head), payload]);
  const mask = randomBytes(4);
  const body = Buffer.from(payload.map((byte, index) => byte ^ (mask[index % 4] as number)));
  return Buffer.concat([Buffer.from(head), mask, body]);
}

const clientMessageLike = fc
  .record({
    type: fc.oneof(fc.constantFrom("input", "resize", "ack", "close", "ping", ""), oddString),
    data: fc.oneof(oddString, oddNumber),
    cols: oddNumber,
    rows: oddNumber,
    bytes: oddNumber,
  })
  .map((message) => JSON.stringify(message));

const brokenFrame: fc.Arbitrary<Buffer> = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
  // Invalid UTF-8 in a text frame (1007), an unknown opcode, reserved bits, no mask (1002).
  fc.constant(clientFrame(0x1, Buffer.from([0xc3, 0x28]))),
  fc.integer({ min: 3, max: 7 }).map((opcode) => clientFrame(opcode, Buffer.from("x"))),
  fc.integer({ min: 1, max: 7 }).map((rsv) => clientFrame(0x1, Buffer.from("{}"), { rsv })),
  fc.constant(clientFrame(0x1, Buffer.from("{}"), { masked: false })),
  // A continuation with nothing to continue; a control frame that is fragmented or too long.
  fc.constant(clientFrame(0x0, Buffer.from("x"))),
  fc.constant(clientFrame(0x9, Buffer.from("x"), { fin: false })),
  fc.constant(clientFrame(0x9, Buffer.alloc(200))),
  // Close frames with a code no one may send, and with a one-byte body.
  fc
    .constantFrom(0, 999, 1004, 1005, 1006, 1015, 2999, 5000, 65_535)
    .map((code) => clientFrame(0x8, Buffer.from([code >> 8, code & 0xff]))),
  fc.constant(clientFrame(0x8, Buffer.from([3]))),
);

export const socketAction: fc.Arbitrary<SocketAction> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.oneof(oddString, clientMessageLike).map((data) => ({ kind: "text" as const, data })),
  },
  {
    weight: 2,
    arbitrary: fc.uint8Array({ maxLength: 256 }).map((data) => ({ kind: "binary" as const, data })),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({ bytes: fc.integer({ min: 64 * 1024 + 1, max: 2 * 1024 * 1024 }), binary: fc.boolean() })
      .map((huge) => ({ kind: "huge" as const, ...huge })),
  },
  { weight: 1, arbitrary: brokenFrame.map((frame) => ({ kind: "raw" as const, frame })) },
  { weight: 1, arbitrary: fc.constant({ kind: "ping" as const }) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 0, max: 50 }).map((ms) => ({ kind: "pause" as const, ms })),
  },
);

export const socketEnding: fc.Arbitrary<SocketEnding> = fc.constantFrom(
  "close",
  "close-code",
  "terminate",
  "before-open",
);

export type SocketOutcome = { refused?: number; closeCode?: number; opened: boolean };

/**
 * Opens `url`, plays `actions` and leaves as `ending` says. Resolves with what the server did: the
 * HTTP status it refused the upgrade with, or the close code of a socket it opened.
 */
export function playSocket(
  url: string,
  headers: Record<string, string>,
  actions: SocketAction[],
  ending: SocketEnding,
): Promise<SocketOutcome> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    let opened = false;
    const finish = (outcome: Omit<SocketOutcome, "opened">) => {
      clearTimeout(stuck);
      resolve({ ...outcome, opened });
    };
    // A socket the server neither answers nor closes is reported, not waited for forever.
    const stuck = setTimeout(() => {
      ws.terminate();
      finish({ closeCode: -1 });
    }, 30_000);
    ws.on("error", () => {});
    ws.on("unexpected-response", (_req, res) => {
      res.resume();
      ws.terminate();
      finish({ refused: res.statusCode });
    });
    ws.on("close", (code) => finish({ closeCode: code }));
    if (ending === "before-open") {
      setImmediate(() => ws.terminate());
      return;
    }
    ws.on("open", async () => {
      opened = true;
      for (const action of actions) {
        if (ws.readyState !== WebSocket.OPEN) break;
        await play(ws, action);
      }
      if (ending === "terminate") ws.terminate();
      else if (ending === "close-code") ws.close(4000, "fuzz");
      else ws.close();
    });
  });
}

async function play(ws: WebSocket, action: SocketAction) {
  switch (action.kind) {
    case "text":
      return ws.send(action.data);
    case "binary":
      return ws.send(action.data, { binary: true });
    case "huge":
      return ws.send(Buffer.alloc(action.bytes, 0x61), { binary: action.binary });
    case "raw":
      return (ws as unknown as { _socket: Socket })._socket.write(action.frame);
    case "ping":
      return ws.ping();
    case "pause":
      return new Promise((resolve) => setTimeout(resolve, action.ms));
  }
}
