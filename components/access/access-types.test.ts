import { describe, expect, it } from "vitest";
import { formatCode, isOpen, personOf, timeLeft } from "./access-types";

describe("timeLeft", () => {
  const now = Date.parse("2025-06-01T12:00:00Z");
  const inSeconds = (seconds: number) => new Date(now + seconds * 1000).toISOString();

  it("says expired at the deadline and after it", () => {
    expect(timeLeft(inSeconds(0), now)).toBe("expired");
    expect(timeLeft(inSeconds(-30), now)).toBe("expired");
  });

  it("rounds down, so a link never shows more time than it has", () => {
    expect(timeLeft(new Date(now + 42_900).toISOString(), now)).toBe("42 s");
    expect(timeLeft(inSeconds(59), now)).toBe("59 s");
  });

  it("pads seconds under minutes and minutes under hours", () => {
    expect(timeLeft(inSeconds(60), now)).toBe("1 min 00 s");
    expect(timeLeft(inSeconds(14 * 60 + 5), now)).toBe("14 min 05 s");
    expect(timeLeft(inSeconds(3600 + 5 * 60 + 59), now)).toBe("1 h 05 min");
  });
});

describe("formatCode", () => {
  it("groups the six digits as the bot shows them", () => {
    expect(formatCode("123456")).toBe("123 456");
  });
});

describe("isOpen", () => {
  it("is true until the pairing is decided or expires", () => {
    expect(["pending", "claimed", "confirmed", "rejected", "expired", "cancelled"].filter(isOpen)).toEqual([
      "pending",
      "claimed",
    ]);
  });
});

describe("personOf", () => {
  it("names someone by their Telegram name, or by their id without one", () => {
    expect(personOf({ subjectName: "@alice", subjectId: "42" })).toBe("@alice");
    expect(personOf({ subjectName: null, subjectId: "42" })).toBe("Telegram user 42");
  });
});
