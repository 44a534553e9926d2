import fc from "fast-check";

/** The subset of JSON Schema that `z.toJSONSchema` writes for claw's procedure inputs. */
export type JsonSchema = {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minItems?: number;
  maxItems?: number;
};

/** Strings a validator or a query may choke on: encodings, lone surrogates, paths, SQL, sizes. */
export const oddString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string16bits({ maxLength: 20 }),
  fc.constantFrom(
    "",
    " ",
    "%",
    "%E0%A4%A",
    "../../../etc/passwd",
    "..",
    "/",
    "a/b",
    "\u0000",
    "\ud800",
    "'; DROP TABLE agents; --",
    "<script>alert(1)</script>",
    "$" + "{HOME}",
    "$(id)",
    "-rf",
    "--help",
    "NaN",
    "null",
    "true",
    "0",
    "-1",
    "1e309",
    "claw-agent-x",
    "A".repeat(65),
    "a".repeat(70_001),
  ),
);

/** Numbers at the edges of every range check. */
export const oddNumber: fc.Arbitrary<number> = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(-1, 0, 1, 0.5, -0.5, 2 ** 31, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1e308, -1e308, 5e-324),
);

const oddJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  oddString,
  oddNumber,
  fc.constantFrom(null, true, false, [], {}, [[[[[]]]]], JSON.parse('{"__proto__": {"polluted": true}}'), {
    constructor: { prototype: { polluted: true } },
  }),
);

/** Values that satisfy `schema` as far as JSON Schema says (refinements aside): the "valid-looking" inputs. */
export function validLooking(schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const choices = schema.anyOf ?? schema.oneOf;
  if (choices) return fc.oneof(...choices.map((choice) => validLooking(choice, depth + 1)));
  switch (schema.type) {
    case "object": {
      const shape: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, value] of Object.entries(schema.properties ?? {}))
        shape[key] = validLooking(value, depth + 1);
      return fc.record(shape, { requiredKeys: (schema.required ?? []).filter((key) => key in shape) });
    }
    case "array":
      return fc.array(schema.items ? validLooking(schema.items, depth + 1) : oddJson, {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 4, Math.max(schema.minItems ?? 0, 4)),
      });
    case "string":
      return stringLike(schema);
    case "integer":
      return fc.integer({
        min: Math.max(schema.minimum ?? (schema.exclusiveMinimum ?? -1e6) + 1, -(2 ** 31)),
        max: Math.min(schema.maximum ?? 1e6, 2 ** 31),
      });
    case "number":
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true });
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    default:
      return depth > 2 ? fc.constant(null) : oddJson;
  }
}

function stringLike(schema: JsonSchema): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  if (schema.pattern) {
    // The pattern bounds the length itself (`{64}`); only the schema's own limits filter it.
    const max = schema.maxLength ?? Number.POSITIVE_INFINITY;
    return fc
      .stringMatching(new RegExp(schema.pattern))
      .filter((text) => text.length >= min && text.length <= max);
  }
  const max = Math.min(schema.maxLength ?? 60, 200);
  if (schema.format === "uri") return fc.oneof(fc.webUrl(), fc.constant("http://127.0.0.1:9/"));
  return fc.string({ minLength: min, maxLength: Math.max(max, min) });
}

/** One change to a valid-looking value: a key dropped, added or retyped, the whole value replaced. */
export function mutated(valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.oneof(
    valid,
    fc
      .tuple(valid, fc.nat(), oddJson)
      .map(([value, pick, replacement]) => retypeOne(value, pick, replacement)),
    fc.tuple(valid, fc.nat()).map(([value, pick]) => dropOne(value, pick)),
    fc
      .tuple(valid, fc.string({ maxLength: 12 }), oddJson)
      .map(([value, key, extra]) => (isRecord(value) ? { ...value, [key]: extra } : value)),
    valid.map((value) => [value]),
    valid.map((value) => JSON.stringify(value) ?? null),
    valid.map((value) => ({ 0: value })),
    valid.map((value) => ({ json: value })),
    oddJson,
  );
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function retypeOne(value: unknown, pick: number, replacement: unknown): unknown {
  if (!isRecord(value)) return replacement;
  const keys = Object.keys(value);
  if (keys.length === 0) return replacement;
  const key = keys[pick % keys.length] as string;
  return { ...value, [key]: replacement };
}

function dropOne(value: unknown, pick: number): unknown {
  if (!isRecord(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length === 0) return value;
  const { [keys[pick % keys.length] as string]: _dropped, ...rest } = value;
  return rest;
}

/** What the server receives of `value` once it has been through JSON (undefined: no input at all). */
export function overTheWire(value: unknown): unknown {
  if (value === undefined) return undefined;
  const text = JSON.stringify(value);
  return text === undefined ? undefined : JSON.parse(text);
}

/** encodeURIComponent for any string: a lone surrogate (which it throws on) becomes U+FFFD first. */
export const encodePart = (text: string) => encodeURIComponent(text.replace(/[\ud800-\udfff]/g, "\ufffd"));
