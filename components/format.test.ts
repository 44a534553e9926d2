import { describe, expect, it } from "vitest";
import { ago, formatBytes, mib, since } from "./format";

describe("formatBytes", () => {
  it("counts bytes below a KiB exactly", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(1023)).toBe("1023 B");
  });

  it("gives one decimal below ten units and none from there", () => {
    expect(formatBytes(1024)).toBe("1.0 KiB");
    expect(formatBytes(3.4 * 1024)).toBe("3.4 KiB");
    expect(formatBytes(10 * 1024)).toBe("10 KiB");
    expect(formatBytes(210 * 1024 ** 2)).toBe("210 MiB");
  });

  it("never prints 10.0 or 1024 of a unit: those move to whole numbers or the next unit", () => {
    expect(formatBytes(9.97 * 1024)).toBe("10 KiB");
    expect(formatBytes(1024 ** 2 - 1)).toBe("1.0 MiB");
    expect(formatBytes(1023.4 * 1024)).toBe("1023 KiB");
  });

  it("stops at TiB", () => {
    expect(formatBytes(2048 * 1024 ** 4)).toBe("2048 TiB");
  });
});

describe("mib", () => {
  it("rounds to whole MiB", () => {
    expect(mib(512 * 1024 ** 2)).toBe("512 MiB");
    expect(mib(1.6 * 1024 ** 2)).toBe("2 MiB");
    expect(mib(0)).toBe("0 MiB");
    expect(mib(4096 * 1024 ** 2)).toBe(`${(4096).toLocaleString()} MiB`);
  });
});

const now = Date.parse("2025-06-01T12:00:00Z");
const secondsAgo = (seconds: number) => new Date(now - seconds * 1000).toISOString();

describe("since", () => {
  it("counts seconds, then minutes, then hours with minutes, then days with hours", () => {
    expect(since(secondsAgo(59), now)).toBe("59 s");
    expect(since(secondsAgo(60), now)).toBe("1 min");
    expect(since(secondsAgo(3599), now)).toBe("59 min");
    expect(since(secondsAgo(3600), now)).toBe("1 h 0 min");
    expect(since(secondsAgo(47 * 3600 + 59 * 60), now)).toBe("47 h 59 min");
    expect(since(secondsAgo(48 * 3600), now)).toBe("2 d 0 h");
    expect(since(secondsAgo(3 * 86_400 + 5 * 3600), now)).toBe("3 d 5 h");
  });

  it("says 0 s for a start a little ahead of this clock", () => {
    expect(since(new Date(now + 5_000).toISOString(), now)).toBe("0 s");
  });
});

describe("ago", () => {
  it("says never without a time", () => {
    expect(ago(null, now)).toBe("never");
    expect(ago(undefined, now)).toBe("never");
    expect(ago("", now)).toBe("never");
  });

  it("rounds down to the largest unit that fits", () => {
    expect(ago(secondsAgo(5), now)).toBe("5 s ago");
    expect(ago(secondsAgo(179), now)).toBe("2 min ago");
    expect(ago(secondsAgo(2 * 3600 + 3599), now)).toBe("2 h ago");
    expect(ago(secondsAgo(47 * 3600), now)).toBe("47 h ago");
    expect(ago(secondsAgo(4 * 86_400), now)).toBe("4 d ago");
  });

  it("does not go negative for a time ahead of this clock", () => {
    expect(ago(new Date(now + 60_000).toISOString(), now)).toBe("0 s ago");
  });
});
