export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const [name, value] of cookiePairs(header)) if (!cookies.has(name)) cookies.set(name, value);
  return cookies;
}

/**
 * Every value sent under `name`, in header order, at most `max`. A page on another port of this
 * host (an agent's Control UI) can plant a same-named cookie with a narrower path, which the
 * browser sends first: reading only the first value would let it log the user out.
 */
export function cookieValues(header: string | undefined, name: string, max = 4): string[] {
  const values: string[] = [];
  for (const [candidate, value] of cookiePairs(header)) {
    if (candidate !== name || values.includes(value)) continue;
    values.push(value);
    if (values.length >= max) break;
  }
  return values;
}

function* cookiePairs(header: string | undefined): Generator<[string, string]> {
  if (!header) return;
  for (const part of header.split(";")) {
    const index = part.indexOf("=");
    if (index <= 0) continue;
    yield [part.slice(0, index).trim(), part.slice(index + 1).trim()];
  }
}

/** HttpOnly (no script reads it), SameSite=Strict (no other site sends it), whole-panel path. */
export function sessionCookie(name: string, value: string, maxAgeSeconds: number): string {
  return `${name}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}`;
}

export function clearedCookie(name: string): string {
  return `${name}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
}
