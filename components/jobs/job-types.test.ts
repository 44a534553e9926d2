import { describe, expect, it } from "vitest";
import {
  elapsedOf,
  formatDuration,
  formatHours,
  formatUsd,
  isLive,
  shortClaudeSession,
  tokensOf,
} from "./job-types";

describe("formatDuration", () => {
  it("gives tenths below ten seconds, whole seconds below a minute, all rounded down", () => {
    expect(formatDuration(4_200)).toBe("4.2 s");
    expect(formatDuration(9_960)).toBe("9.9 s");
    expect(formatDuration(10_000)).toBe("10 s");
    expect(formatDuration(59_999)).toBe("59 s");
  });

  it("pads seconds under minutes and drops them under hours", () => {
    expect(formatDuration(60_000)).toBe("1 min 00 s");
    expect(formatDuration(185_000)).toBe("3 min 05 s");
    expect(formatDuration(3_600_000)).toBe("1 h 0 min");
    expect(formatDuration(7_800_000)).toBe("2 h 10 min");
  });

  it("never goes below zero (a clock a little behind the runner's)", () => {
    expect(formatDuration(-1_500)).toBe("0.0 s");
  });
});

describe("elapsedOf", () => {
  const now = Date.parse("2025-06-01T12:00:00Z");
  const job = { status: "running", createdAt: "2025-06-01T11:58:00Z", startedAt: null, finishedAt: null };

  it("counts a finished job from its start to its end, whatever the time now", () => {
    expect(
      elapsedOf(
        {
          ...job,
          status: "completed",
          startedAt: "2025-06-01T11:00:00Z",
          finishedAt: "2025-06-01T11:00:42Z",
        },
        now,
      ),
    ).toBe("42 s");
  });

  it("counts a running job up to now", () => {
    expect(elapsedOf({ ...job, startedAt: "2025-06-01T11:57:00Z" }, now)).toBe("3 min 00 s");
  });

  it("says how long a pending job has waited, and nothing for one that ended without starting", () => {
    expect(elapsedOf({ ...job, status: "pending" }, now)).toBe("waiting 2 min 00 s");
    expect(elapsedOf({ ...job, status: "cancelled" }, now)).toBeNull();
  });
});

describe("formatHours", () => {
  it("says whole days from two days up, hours otherwise", () => {
    expect(formatHours(24)).toBe("24 h");
    expect(formatHours(36)).toBe("36 h");
    expect(formatHours(48)).toBe("2 d");
    expect(formatHours(50)).toBe("50 h");
    expect(formatHours(168)).toBe("7 d");
  });
});

describe("formatUsd", () => {
  it("shows cents, and four decimals for a cost under a cent so it does not read as free", () => {
    expect(formatUsd(0)).toBe("$0.00");
    expect(formatUsd(0.0042)).toBe("$0.0042");
    expect(formatUsd(0.01)).toBe("$0.01");
    expect(formatUsd(1.234)).toBe("$1.23");
  });
});

describe("shortClaudeSession", () => {
  it("keeps the first group of a UUID", () => {
    expect(shortClaudeSession("0f3a9c2e-1b2c-4d5e-8f90-123456789abc")).toBe("0f3a9c2e");
    expect(shortClaudeSession("plain")).toBe("plain");
  });
});

describe("isLive", () => {
  it("is true while a job waits or runs", () => {
    expect(["pending", "running", "completed", "failed", "cancelled"].filter(isLive)).toEqual([
      "pending",
      "running",
    ]);
  });
});

describe("tokensOf", () => {
  it("has nothing to say without usage", () => {
    expect(tokensOf(null)).toBeNull();
    expect(tokensOf(undefined)).toBeNull();
  });

  it("always says input and output, counting a missing or non-numeric count as 0", () => {
    expect(tokensOf({ input_tokens: 12, output_tokens: "many" })).toBe("12 in · 0 out");
  });

  it("adds cache reads and writes only when there were some", () => {
    expect(
      tokensOf({
        input_tokens: 3,
        output_tokens: 4,
        cache_read_input_tokens: 5,
        cache_creation_input_tokens: 0,
      }),
    ).toBe("3 in · 4 out · 5 cache read");
    expect(tokensOf({ input_tokens: 1, output_tokens: 2, cache_creation_input_tokens: 6 })).toBe(
      "1 in · 2 out · 6 cache write",
    );
  });
});
