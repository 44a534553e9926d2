/**
 * A token bucket per key: `burst` messages at once, then one every `refillMs`. Says once per
 * empty spell that the key is limited, so the caller can answer (and audit) once, not per message.
 */
export function createRateLimiter(options = { burst: 8, refillMs: 4_000 }) {
  const buckets = new Map<string, { tokens: number; at: number; warned: boolean }>();
  return {
    take(key: string, now = Date.now()): "ok" | "limited" | "limited-again" {
      const bucket = buckets.get(key) ?? { tokens: options.burst, at: now, warned: false };
      bucket.tokens = Math.min(options.burst, bucket.tokens + (now - bucket.at) / options.refillMs);
      bucket.at = now;
      buckets.set(key, bucket);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        bucket.warned = false;
        return "ok";
      }
      if (bucket.warned) return "limited-again";
      bucket.warned = true;
      return "limited";
    },
    /** Seconds until the key may send again. */
    waitSeconds(key: string): number {
      const bucket = buckets.get(key);
      return bucket ? Math.ceil(((1 - bucket.tokens) * options.refillMs) / 1000) : 0;
    },
    /** Forgets full buckets, so the map does not grow with every sender ever seen. */
    prune(now = Date.now()) {
      for (const [key, bucket] of buckets)
        if (bucket.tokens + (now - bucket.at) / options.refillMs >= options.burst) buckets.delete(key);
    },
  };
}
export type RateLimiter = ReturnType<typeof createRateLimiter>;
