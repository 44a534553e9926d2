import { createHash, randomBytes } from "node:crypto";

/** How long a login link works: long enough to copy it into a browser, short enough to go stale. */
export const loginCodeLifetimeMs = 10 * 60_000;
/** Codes nobody used are forgotten oldest first beyond this many, so minting cannot grow memory. */
const maxOutstanding = 64;

export type IssuedLoginCode = { code: string; expiresAt: Date };

/**
 * One-time login codes, the only thing a login link carries: 32 random bytes, valid for ten
 * minutes, good for one login. Only their hashes are kept, in memory: a restart forgets them all
 * (the panel prints a fresh link at every start, and `claw login-url` mints one any time).
 */
export type LoginCodes = {
  issue(now?: number): IssuedLoginCode;
  /** True once for a code that was issued and has not expired; the code is spent either way. */
  redeem(code: string, now?: number): boolean;
};

const hashOf = (code: string) => createHash("sha256").update(code).digest("hex");

export function createLoginCodes(options = { lifetimeMs: loginCodeLifetimeMs }): LoginCodes {
  const expiries = new Map<string, number>();
  const prune = (now: number) => {
    for (const [hash, expiresAt] of expiries) if (expiresAt <= now) expiries.delete(hash);
    // A Map iterates in insertion order: the first keys are the oldest codes.
    for (const hash of expiries.keys()) {
      if (expiries.size < maxOutstanding) break;
      expiries.delete(hash);
    }
  };
  return {
    issue(now = Date.now()) {
      prune(now);
      const code = randomBytes(32).toString("base64url");
      const expiresAt = now + options.lifetimeMs;
      expiries.set(hashOf(code), expiresAt);
      return { code, expiresAt: new Date(expiresAt) };
    },
    redeem(code, now = Date.now()) {
      const hash = hashOf(code);
      const expiresAt = expiries.get(hash);
      expiries.delete(hash);
      return expiresAt !== undefined && expiresAt > now;
    },
  };
}

/** The code rides in the fragment, which browsers never send to a server or put in a Referer. */
export function loginUrl(port: number, code: string): string {
  return `http://127.0.0.1:${port}/login#code=${code}`;
}
