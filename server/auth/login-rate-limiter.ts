/**
 * Failed logins per sliding window. Every caller is on loopback, so one shared budget: a local
 * process guessing tokens is slowed for everyone, which is the point.
 */
export type LoginRateLimiter = {
  /** Seconds until the next attempt is allowed, or 0 when one may be made now. */
  retryAfterSeconds(now?: number): number;
  /** Returns true when this failure is the one that closes the window. */
  recordFailure(now?: number): boolean;
  reset(): void;
};

export function createLoginRateLimiter(options = { maxFailures: 5, windowMs: 60_000 }): LoginRateLimiter {
  let failures: number[] = [];
  const prune = (now: number) => {
    failures = failures.filter((time) => now - time < options.windowMs);
  };
  return {
    retryAfterSeconds(now = Date.now()) {
      prune(now);
      if (failures.length < options.maxFailures) return 0;
      const oldest = failures[0] ?? now;
      return Math.max(1, Math.ceil((oldest + options.windowMs - now) / 1000));
    },
    recordFailure(now = Date.now()) {
      prune(now);
      failures.push(now);
      return failures.length === options.maxFailures;
    },
    reset() {
      failures = [];
    },
  };
}
