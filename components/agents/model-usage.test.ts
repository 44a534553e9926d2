import { describe, expect, it } from "vitest";
import type { UsageDay } from "./agent-types";
import { compactCount, hasUsage, usageBars, usageSummary, weekday } from "./model-usage";

const day = (date: string, requests: number, extra: Partial<UsageDay> = {}): UsageDay => ({
  day: date,
  requests,
  inputTokens: 0,
  outputTokens: 0,
  errors: 0,
  ...extra,
});

describe("compactCount", () => {
  it("keeps small counts whole and shortens thousands and millions", () => {
    expect(compactCount(0)).toBe("0");
    expect(compactCount(999)).toBe("999");
    expect(compactCount(1000)).toBe("1k");
    expect(compactCount(1234)).toBe("1.2k");
    expect(compactCount(9_949)).toBe("9.9k");
    expect(compactCount(9_950)).toBe("10k");
    expect(compactCount(123_456)).toBe("123k");
    expect(compactCount(3_400_000)).toBe("3.4M");
  });

  it("moves to the next unit where the rounded figure would reach 1000", () => {
    expect(compactCount(999_499)).toBe("999k");
    expect(compactCount(999_500)).toBe("1M");
  });
});

describe("usageSummary", () => {
  it("says a day's requests, tokens and errors", () => {
    expect(usageSummary(day("2025-01-06", 12, { inputTokens: 3_400, outputTokens: 1_200, errors: 1 }))).toBe(
      "12 requests, 3.4k tokens in, 1.2k out, 1 error",
    );
    expect(usageSummary(day("2025-01-06", 1, { inputTokens: 10, outputTokens: 5 }))).toBe(
      "1 request, 10 tokens in, 5 out",
    );
  });

  it("says a quiet day in words", () => {
    expect(usageSummary(day("2025-01-06", 0))).toBe("no requests");
  });
});

describe("weekday", () => {
  it("reads the date as a local day", () => {
    expect(weekday("2025-01-06", "en-US")).toBe("Mon");
    expect(weekday("2025-01-12", "en-US")).toBe("Sun");
  });

  it("shows what it cannot read as it is", () => {
    expect(weekday("soon", "en-US")).toBe("soon");
  });
});

describe("usageBars", () => {
  it("scales each day against the busiest", () => {
    const bars = usageBars([day("a", 10), day("b", 5), day("c", 0)]);
    expect(bars.map((bar) => bar.heightPercent)).toEqual([100, 50, 0]);
    expect(bars.map((bar) => bar.day)).toEqual(["a", "b", "c"]);
  });

  it("keeps a day with a request visible beside a much busier one", () => {
    expect(usageBars([day("a", 1000), day("b", 1)]).map((bar) => bar.heightPercent)).toEqual([100, 4]);
  });

  it("draws no bar in a week without requests", () => {
    expect(usageBars([day("a", 0), day("b", 0)]).map((bar) => bar.heightPercent)).toEqual([0, 0]);
    expect(usageBars([])).toEqual([]);
  });
});

describe("hasUsage", () => {
  it("is true once any day has a request", () => {
    expect(hasUsage([day("a", 0), day("b", 0)])).toBe(false);
    expect(hasUsage([day("a", 0), day("b", 2)])).toBe(true);
  });
});
