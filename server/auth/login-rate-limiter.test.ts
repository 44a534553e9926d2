import { describe, expect, it } from "vitest";
import { createLoginRateLimiter } from "./login-rate-limiter";

describe("createLoginRateLimiter", () => {
  it("blocks after the allowed failures and opens again when the window passes", () => {
    const limiter = createLoginRateLimiter({ maxFailures: 3, windowMs: 10_000 });
    for (let i = 0; i < 3; i++) {
      expect(limiter.retryAfterSeconds(1_000 + i)).toBe(0);
      limiter.recordFailure(1_000 + i);
    }
    expect(limiter.retryAfterSeconds(2_000)).toBe(9);
    expect(limiter.retryAfterSeconds(11_001)).toBe(0);
  });

  it("forgets failures after a reset", () => {
    const limiter = createLoginRateLimiter({ maxFailures: 1, windowMs: 10_000 });
    limiter.recordFailure(0);
    expect(limiter.retryAfterSeconds(1)).toBeGreaterThan(0);
    limiter.reset();
    expect(limiter.retryAfterSeconds(1)).toBe(0);
  });
});
