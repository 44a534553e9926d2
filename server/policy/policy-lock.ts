import { createHash } from "node:crypto";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { canonicalJson } from "../audit/canonical-json";
import { type HostKey, keyIdOf, verifySignature } from "../keys/host-key";

export const lockPayloadType = "application/vnd.claw.policy-lock+json";

export type LockPayload = {
  lockVersion: 1;
  agent: string;
  template: { name: string; source: string; hash: string };
  image: { ref: string; digest: string };
  artifacts: { "openclaw.json": string; "container-spec.json": string };
  network: { profile: string; allow: string[] };
  lockedAt: string;
  /** Digest of the lock this one replaces (a re-lock), or null for the first. */
  previousLockDigest: string | null;
  keyId: string;
};

const digest = z.string().regex(/^sha256:[0-9a-f]{64}$/);
const lockPayloadSchema = z.strictObject({
  lockVersion: z.literal(1),
  agent: z.string(),
  template: z.strictObject({ name: z.string(), source: z.string(), hash: digest }),
  image: z.strictObject({ ref: z.string(), digest: z.string() }),
  artifacts: z.strictObject({ "openclaw.json": digest, "container-spec.json": digest }),
  network: z.strictObject({ profile: z.string(), allow: z.array(z.string()) }),
  lockedAt: z.string(),
  previousLockDigest: digest.nullable(),
  keyId: z.string(),
});

export const dsseEnvelopeSchema = z.strictObject({
  payloadType: z.string(),
  payload: z.string(),
  signatures: z.array(z.strictObject({ keyid: z.string(), sig: z.string() })).min(1),
});
export type DsseEnvelope = z.infer<typeof dsseEnvelopeSchema>;

/** `sha256:<hex>` of the RFC 8785 text of a JSON value: key order and whitespace do not count. */
export function canonicalDigest(value: unknown): string {
  return `sha256:${createHash("sha256").update(canonicalJson(value)).digest("hex")}`;
}

/** A template's hash: of its content, not its formatting or comments. */
export function templateDigest(yamlText: string): string {
  return canonicalDigest(parseYaml(yamlText));
}

/** DSSE pre-authentication encoding: what the signature covers, binding the payload to its type. */
export function preAuthEncoding(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, "utf8");
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `),
    type,
    Buffer.from(` ${payload.length} `),
    payload,
  ]);
}

export function signLock(payload: LockPayload, hostKey: HostKey): DsseEnvelope {
  const body = Buffer.from(canonicalJson(payload), "utf8");
  const sig = hostKey.sign(preAuthEncoding(lockPayloadType, body));
  return {
    payloadType: lockPayloadType,
    payload: body.toString("base64"),
    signatures: [{ keyid: hostKey.keyId, sig: Buffer.from(sig).toString("base64") }],
  };
}

export type OpenedLock = { ok: true; payload: LockPayload } | { ok: false; reason: string };

/** Checks the envelope's type, key and signature, then the payload's shape. */
export function openLock(envelopeJson: unknown, publicKey: Uint8Array): OpenedLock {
  const envelope = dsseEnvelopeSchema.safeParse(envelopeJson);
  if (!envelope.success) return { ok: false, reason: "the lock is not a DSSE envelope" };
  if (envelope.data.payloadType !== lockPayloadType) {
    return { ok: false, reason: `the lock's payload type is ${envelope.data.payloadType}` };
  }
  const keyId = keyIdOf(publicKey);
  const signature = envelope.data.signatures.find((candidate) => candidate.keyid === keyId);
  if (!signature) return { ok: false, reason: "the lock is not signed by this host's key" };
  const body = Buffer.from(envelope.data.payload, "base64");
  const valid = verifySignature(
    publicKey,
    preAuthEncoding(envelope.data.payloadType, body),
    Buffer.from(signature.sig, "base64"),
  );
  if (!valid) return { ok: false, reason: "the lock's signature does not match its payload" };
  let json: unknown;
  try {
    json = JSON.parse(body.toString("utf8"));
  } catch {
    return { ok: false, reason: "the signed payload is not JSON" };
  }
  const payload = lockPayloadSchema.safeParse(json);
  if (!payload.success) return { ok: false, reason: "the signed payload is not a claw policy lock" };
  return { ok: true, payload: payload.data };
}
