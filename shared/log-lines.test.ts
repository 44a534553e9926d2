import { describe, expect, it } from "vitest";
import {
  appendBounded,
  type LogLine,
  logText,
  parseLogLine,
  plainText,
  shortTime,
  stripAnsi,
} from "./log-lines";

const esc = "\u001b";
const bell = "\u0007";

describe("stripAnsi", () => {
  it("removes colour and cursor sequences and keeps the text between them", () => {
    expect(stripAnsi(`${esc}[1;32mready${esc}[0m on ${esc}[2K${esc}[1Aport 18789`)).toBe(
      "ready on port 18789",
    );
  });

  it("removes OSC titles and links ended by BEL or by ST", () => {
    expect(stripAnsi(`${esc}]0;openclaw${bell}up`)).toBe("up");
    expect(stripAnsi(`${esc}]8;;https://example.com${esc}\\docs${esc}]8;;${esc}\\`)).toBe("docs");
  });

  it("leaves brackets that are not part of an escape alone", () => {
    expect(stripAnsi("[gateway] [1m] ready")).toBe("[gateway] [1m] ready");
  });
});

describe("plainText", () => {
  it("drops escape sequences and control characters, keeping tabs", () => {
    expect(plainText(`${esc}[31mred${esc}[0m\tok${bell}\r`)).toBe("red\tok");
  });
});

describe("parseLogLine", () => {
  it("splits Podman's RFC 3339 timestamp (nanoseconds, Z) from the text", () => {
    expect(parseLogLine("2025-01-02T03:04:05.123456789Z [gateway] ready", 7)).toEqual({
      seq: 7,
      time: "2025-01-02T03:04:05.123456789Z",
      text: "[gateway] ready",
    });
  });

  it("accepts an offset instead of Z and a line that is only a timestamp", () => {
    expect(parseLogLine("2025-01-02T03:04:05+02:00 hi", 0)).toMatchObject({
      time: "2025-01-02T03:04:05+02:00",
      text: "hi",
    });
    expect(parseLogLine("2025-01-02T03:04:05Z", 1)).toEqual({
      seq: 1,
      time: "2025-01-02T03:04:05Z",
      text: "",
    });
  });

  it("strips colours before looking for the timestamp, so a coloured line still parses", () => {
    expect(parseLogLine(`2025-01-02T03:04:05Z ${esc}[31merror${esc}[0m`, 2)).toEqual({
      seq: 2,
      time: "2025-01-02T03:04:05Z",
      text: "error",
    });
  });

  it("keeps a line without a timestamp (or with a date only) whole, without a time", () => {
    expect(parseLogLine("plain output", 3)).toEqual({ seq: 3, time: null, text: "plain output" });
    expect(parseLogLine("2025-01-02 03:04:05 not RFC 3339", 4)).toEqual({
      seq: 4,
      time: null,
      text: "2025-01-02 03:04:05 not RFC 3339",
    });
  });
});

const line = (seq: number): LogLine => ({ seq, time: null, text: `line ${seq}` });

describe("appendBounded", () => {
  it("returns the same array when nothing new came, so React sees no change", () => {
    const current = [line(1)];
    expect(appendBounded(current, [])).toBe(current);
  });

  it("appends while under the bound", () => {
    expect(appendBounded([line(1)], [line(2), line(3)], 5).map((l) => l.seq)).toEqual([1, 2, 3]);
  });

  it("drops the oldest lines past the bound, even when the fresh batch alone is longer", () => {
    expect(appendBounded([line(1), line(2)], [line(3), line(4)], 3).map((l) => l.seq)).toEqual([2, 3, 4]);
    expect(appendBounded([line(1)], [line(2), line(3), line(4), line(5)], 2).map((l) => l.seq)).toEqual([
      4, 5,
    ]);
  });
});

describe("shortTime", () => {
  it("shows a valid timestamp as a 24-hour clock time", () => {
    expect(shortTime("2025-01-02T13:04:05.5Z")).toMatch(/^\d{2}:\d{2}:\d{2}$/);
  });

  it("falls back to the clock part of the text when the date does not parse", () => {
    expect(shortTime("2025-13-45T25:61:00Z")).toBe("25:61:00");
  });
});

describe("logText", () => {
  it("writes each line with its timestamp back in front, one per line, ending in a newline", () => {
    const lines: LogLine[] = [
      { seq: 0, time: "2025-01-02T03:04:05Z", text: "a" },
      { seq: 1, time: null, text: "b" },
    ];
    expect(logText(lines)).toBe("2025-01-02T03:04:05Z a\nb\n");
  });

  it("round-trips what parseLogLine read", () => {
    const raw = ["2025-01-02T03:04:05Z one", "two"];
    expect(logText(raw.map(parseLogLine))).toBe(`${raw.join("\n")}\n`);
  });
});
