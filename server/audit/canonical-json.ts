import canonicalize from "canonicalize";

/** RFC 8785 (JCS) text of a JSON value: the one form every hash and signature in claw is taken over. */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError("Value has no JSON form");
  return text;
}
