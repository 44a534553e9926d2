import { createHash, createPublicKey, type KeyObject, verify } from "node:crypto";
import { chmod, mkdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import * as ed from "@noble/ed25519";
import { AppError } from "../errors";
import { writeFileAtomic } from "../fs/write-file-atomic";

// Synchronous signing needs a SHA-512; Node's own is the fastest at hand.
ed.hashes.sha512 = (message) => new Uint8Array(createHash("sha512").update(message).digest());

/** The host's Ed25519 key: signs audit checkpoints now, policy locks later. */
export type HostKey = {
  /** SHA-256 hex of the raw public key. */
  keyId: string;
  publicKey: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
};

const secretFile = "host-ed25519.key";
const publicFile = "host-ed25519.pub";

/** Where the secret half lives (the doctor checks its mode). */
export function hostKeyPath(keysDir: string): string {
  return join(keysDir, secretFile);
}

export function keyIdOf(publicKey: Uint8Array): string {
  return createHash("sha256").update(publicKey).digest("hex");
}

/** DER prefix of an Ed25519 SubjectPublicKeyInfo; the 32 raw key bytes follow it. */
const ed25519SpkiPrefix = Buffer.from("302a300506032b6570032100", "hex");
const publicKeyObjects = new WeakMap<Uint8Array, KeyObject>();

/**
 * Checks with Node's native Ed25519 (the same standard noble signs with): verify walks every
 * checkpoint, and native is ~30 times faster than pure JS there.
 */
export function verifySignature(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    let key = publicKeyObjects.get(publicKey);
    if (!key) {
      key = createPublicKey({
        key: Buffer.concat([ed25519SpkiPrefix, publicKey]),
        format: "der",
        type: "spki",
      });
      publicKeyObjects.set(publicKey, key);
    }
    return verify(null, message, key, signature);
  } catch {
    return false;
  }
}

/** Loads the key from `keysDir`, creating it (dir 0700, secret 0600) on first start. */
export async function loadOrCreateHostKey(keysDir: string): Promise<HostKey> {
  await mkdir(keysDir, { recursive: true, mode: 0o700 });
  await chmod(keysDir, 0o700);
  const secretPath = hostKeyPath(keysDir);
  const existing = await readFile(secretPath, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });

  let secretKey: Uint8Array;
  if (existing === undefined) {
    secretKey = ed.utils.randomSecretKey();
    await writeFileAtomic(secretPath, `${Buffer.from(secretKey).toString("base64")}\n`, 0o600);
  } else {
    secretKey = new Uint8Array(Buffer.from(existing.trim(), "base64"));
    if (secretKey.length !== 32) {
      throw new AppError("PRECONDITION_FAILED", `The host key at ${secretPath} is damaged (not 32 bytes)`, {
        fix: `Restore it from a backup. Removing it makes a new key, and old checkpoints then no longer verify.`,
      });
    }
    if (((await stat(secretPath)).mode & 0o077) !== 0) await chmod(secretPath, 0o600);
  }
  const publicKey = ed.getPublicKey(secretKey);
  await writeFileAtomic(join(keysDir, publicFile), `${Buffer.from(publicKey).toString("base64")}\n`, 0o644);
  return {
    keyId: keyIdOf(publicKey),
    publicKey,
    sign: (message) => ed.sign(message, secretKey),
  };
}

/** The public half alone, for verifying without touching the secret. */
export async function readHostPublicKey(keysDir: string): Promise<Uint8Array | undefined> {
  const text = await readFile(join(keysDir, publicFile), "utf8").catch(() => undefined);
  return text === undefined ? undefined : new Uint8Array(Buffer.from(text.trim(), "base64"));
}
