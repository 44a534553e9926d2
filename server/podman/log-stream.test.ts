import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { cutMarker, lineCutter, logDemuxer, readLogLines, splitLines } from "./log-stream";

const frame = (stream: number, payload: Buffer | string, length = Buffer.byteLength(payload)) => {
  const header = Buffer.alloc(8);
  header.writeUInt8(stream, 0);
  header.writeUInt32BE(length, 4);
  return Buffer.concat([header, Buffer.from(payload)]);
};

describe("splitLines", () => {
  it("splits whole lines and carries a partial one", () => {
    expect(splitLines("par", "tial\nnext\r\nrest")).toEqual({ lines: ["partial", "next"], carry: "rest" });
  });
});

describe("splitLines with a cap", () => {
  it("cuts a line longer than the cap into pieces and never carries more than the cap", () => {
    expect(splitLines("", "abcdefghij\nxy", 4)).toEqual({ lines: ["abcd", "efgh", "ij"], carry: "xy" });
    expect(splitLines("abc", "defgh", 4)).toEqual({ lines: ["abcd", "efgh"], carry: "" });
    expect(splitLines("abc", "def", 4)).toEqual({ lines: ["abcd"], carry: "ef" });
    // A surrogate pair (one emoji) is never split between two pieces.
    expect(splitLines("", "abc😀de\n", 4).lines).toEqual(["abc", "😀de"]);
  });

  it("takes 200 MB without a newline in 64 KiB chunks with a bounded carry", () => {
    const chunk = "a".repeat(64 * 1024);
    let carry = "";
    let pieces = 0;
    let longest = 0;
    for (let sent = 0; sent < 200_000_000; sent += chunk.length) {
      const split = splitLines(carry, chunk);
      carry = split.carry;
      pieces += split.lines.length;
      for (const line of split.lines) longest = Math.max(longest, line.length);
      expect(carry.length).toBeLessThan(1024 * 1024);
    }
    expect(longest).toBe(1024 * 1024);
    expect(pieces).toBe(Math.floor((Math.ceil(200_000_000 / chunk.length) * chunk.length) / (1024 * 1024)));
  });
});

describe("lineCutter", () => {
  it("passes whole lines, carries a partial one and drops a carriage return", () => {
    const cutter = lineCutter(8);
    expect(cutter.push("par")).toEqual([]);
    expect(cutter.push("tial\nnext\r\nre")).toEqual(["partial", "next"]);
    expect(cutter.push("st\r")).toEqual([]);
    expect(cutter.push("\nlast")).toEqual(["rest"]);
    expect(cutter.end()).toEqual(["last"]);
  });

  it("passes the head of a longer line at once, with the marker, and skips the rest up to its newline", () => {
    const cutter = lineCutter(4);
    expect(cutter.push("abc")).toEqual([]);
    expect(cutter.push("defgh")).toEqual([`abcd${cutMarker(4)}`]);
    expect(cutter.push("ijkl")).toEqual([]);
    expect(cutter.push("mn\nxy\nabcdefgh\nwxyz\n")).toEqual(["xy", `abcd${cutMarker(4)}`, "wxyz"]);
    expect(cutter.push("abcdefg")).toEqual([`abcd${cutMarker(4)}`]);
    expect(cutter.end()).toEqual([]);
    // A surrogate pair (one emoji) is never split by the cut.
    expect(lineCutter(4).push("abc😀de\n")).toEqual([`abc${cutMarker(4)}`]);
  });

  it("takes 200 MB without a newline in 64 KiB chunks as one cut line, with nothing carried", () => {
    const cutter = lineCutter();
    const chunk = "a".repeat(64 * 1024);
    const lines: string[] = [];
    for (let sent = 0; sent < 200_000_000; sent += chunk.length) lines.push(...cutter.push(chunk));
    lines.push(...cutter.push("\nafter\n"), ...cutter.end());
    expect(lines.map((line) => line.length)).toEqual([64 * 1024 + cutMarker(64 * 1024).length, 5]);
  });
});

describe("logDemuxer", () => {
  it("passes frames through in pieces, across any chunk boundary", () => {
    const bytes = Buffer.concat([frame(1, "out\n"), frame(2, "err\n"), frame(1, "more")]);
    for (let cut = 1; cut < bytes.length; cut++) {
      const demux = logDemuxer();
      const pieces = [...demux(bytes.subarray(0, cut)), ...demux(bytes.subarray(cut))];
      const text = (stream: number) =>
        Buffer.concat(
          pieces.filter((piece) => piece.stream === stream).map((piece) => piece.data),
        ).toString();
      expect(text(1)).toBe("out\nmore");
      expect(text(2)).toBe("err\n");
    }
  });

  it("does not wait for the end of a frame that claims 4 GiB", () => {
    const demux = logDemuxer();
    const pieces = demux(frame(1, "x".repeat(1000), 0xffffffff));
    expect(pieces.map((piece) => piece.data.length)).toEqual([1000]);
    expect(demux(Buffer.alloc(5000, 0x61))[0]?.data.length).toBe(5000);
  });

  it("passes a stream that is not multiplexed (a TTY) as it is", () => {
    const demux = logDemuxer();
    expect(demux(Buffer.from("plain text\n"))[0]?.data.toString()).toBe("plain text\n");
  });
});

describe("readLogLines", () => {
  it("decodes UTF-8 split across frames, ends with the last partial line, and survives a throwing reader", async () => {
    const stream = new PassThrough();
    const lines: string[] = [];
    let calls = 0;
    const ended = new Promise<void>((resolve) =>
      readLogLines(stream, {
        onLines(batch) {
          calls++;
          if (calls === 1) throw new Error("a reader that breaks");
          lines.push(...batch);
        },
        onEnd: resolve,
      }),
    );
    const euro = Buffer.from("€");
    stream.write(frame(1, "first\n"));
    stream.write(frame(1, Buffer.concat([Buffer.from("a"), euro.subarray(0, 1)])));
    stream.write(frame(2, Buffer.concat([euro.subarray(1), Buffer.from("b\nlast")])));
    stream.end();
    await ended;
    expect(lines).toEqual(["a€b", "last"]);
  });

  it("cuts a line longer than 64 Ki characters with a marker", async () => {
    const stream = new PassThrough();
    const lines: string[] = [];
    const ended = new Promise<void>((resolve) =>
      readLogLines(stream, { onLines: (batch) => lines.push(...batch), onEnd: resolve }),
    );
    for (let i = 0; i < 100; i++) stream.write(frame(1, "b".repeat(10_000)));
    stream.write(frame(1, "\nnext"));
    stream.end();
    await ended;
    expect(lines).toEqual([`${"b".repeat(64 * 1024)}${cutMarker(64 * 1024)}`, "next"]);
  });
});
