import { mkdtemp, readFile, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { keyIdOf, loadOrCreateHostKey, verifySignature } from "../keys/host-key";
import {
  type AuditEventContent,
  canonicalContent,
  checkpointStatement,
  genesisHash,
  hashEvent,
} from "./audit-chain";
import { canonicalJson } from "./canonical-json";
import { type StoredAuditRow, verifyAuditChain } from "./verify-audit-chain";

const content = (id: number, details: unknown = { n: id }): AuditEventContent => ({
  id,
  time: "2026-11-21T12:00:00.000Z",
  category: "panel",
  action: "test_event",
  actor: "system",
  agent: null,
  outcome: "ok",
  details,
});

function chain(count: number): StoredAuditRow[] {
  let prevHash = genesisHash;
  return Array.from({ length: count }, (_, i) => {
    const c = content(i + 1);
    const hash = hashEvent(prevHash, c);
    const row = { ...c, details: canonicalJson(c.details), prevHash, hash };
    prevHash = hash;
    return row;
  });
}

describe("canonicalJson", () => {
  it("sorts keys and writes numbers the RFC 8785 way", () => {
    expect(canonicalJson({ b: 1, a: [1e21, 0.1, -0], c: { z: null, y: "é" } })).toBe(
      '{"a":[1e+21,0.1,0],"b":1,"c":{"y":"é","z":null}}',
    );
  });
});

describe("hashEvent", () => {
  it("depends on the previous hash, the content and the id, not on key order", () => {
    const base = hashEvent(genesisHash, content(1));
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(hashEvent(genesisHash, { ...content(1), details: { n: 1 } })).toBe(base);
    expect(hashEvent("1".repeat(64), content(1))).not.toBe(base);
    expect(hashEvent(genesisHash, content(1, { n: 2 }))).not.toBe(base);
    expect(hashEvent(genesisHash, { ...content(1), id: 2 })).not.toBe(base);
  });
});

describe("host key", () => {
  it("is created once with private files, and signs what only it can sign", async () => {
    const dir = join(await mkdtemp(join(tmpdir(), "claw-key-")), "keys");
    const key = await loadOrCreateHostKey(dir);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(dir, "host-ed25519.key"))).mode & 0o777).toBe(0o600);
    expect(key.keyId).toBe(keyIdOf(key.publicKey));
    const again = await loadOrCreateHostKey(dir);
    expect(again.keyId).toBe(key.keyId);
    expect((await readFile(join(dir, "host-ed25519.pub"), "utf8")).trim()).toBe(
      Buffer.from(key.publicKey).toString("base64"),
    );

    const statement = checkpointStatement({
      treeSize: 3,
      headHash: "a".repeat(64),
      time: "t",
      keyId: key.keyId,
    });
    const signature = key.sign(statement);
    expect(verifySignature(key.publicKey, statement, signature)).toBe(true);
    const other = checkpointStatement({ treeSize: 4, headHash: "a".repeat(64), time: "t", keyId: key.keyId });
    expect(verifySignature(key.publicKey, other, signature)).toBe(false);
  });
});

describe("verifyAuditChain", () => {
  it("accepts an intact chain with no checkpoints and says how much is uncovered", async () => {
    const key = await loadOrCreateHostKey(join(await mkdtemp(join(tmpdir(), "claw-key-")), "keys"));
    const report = verifyAuditChain({
      rows: chain(5),
      dbCheckpoints: [],
      fileLines: [],
      publicKey: key.publicKey,
    });
    expect(report).toMatchObject({ ok: true, rows: 5, checkpoints: 0, uncoveredRows: 5 });
  });

  it("finds an inserted row and rows out of order", async () => {
    const key = await loadOrCreateHostKey(join(await mkdtemp(join(tmpdir(), "claw-key-")), "keys"));
    const rows = chain(6);
    const swapped = [rows[0], rows[2], rows[1], ...rows.slice(3)] as StoredAuditRow[];
    const report = verifyAuditChain({
      rows: swapped,
      dbCheckpoints: [],
      fileLines: [],
      publicKey: key.publicKey,
    });
    expect(report.ok).toBe(false);
    expect(report.problems[0]?.row).toBe(2);
  });

  it("reports a file line that is not a checkpoint", async () => {
    const key = await loadOrCreateHostKey(join(await mkdtemp(join(tmpdir(), "claw-key-")), "keys"));
    const report = verifyAuditChain({
      rows: chain(2),
      dbCheckpoints: [],
      fileLines: ["{not json"],
      publicKey: key.publicKey,
    });
    expect(report.problems[0]).toMatchObject({ kind: "bad_checkpoint", line: 1 });
  });
});

describe("canonicalContent", () => {
  it("is exactly the RFC 8785 text of the content", () => {
    const samples: AuditEventContent[] = [
      content(1),
      {
        ...content(2),
        agent: "coder-1",
        details: { z: [1, "two", { b: null, a: true }], é: '\u2028"quoted"\n' },
      },
      { ...content(3), action: "egress_denied", actor: "telegram:12345", details: {} },
    ];
    for (const sample of samples) expect(canonicalContent(sample)).toBe(canonicalJson(sample));
  });
});

describe("verifySignature", () => {
  it("accepts noble's signatures with Node's native Ed25519 and rejects a flipped bit", async () => {
    const key = await loadOrCreateHostKey(join(await mkdtemp(join(tmpdir(), "claw-key-")), "keys"));
    const message = new TextEncoder().encode("claw");
    const signature = key.sign(message);
    expect(verifySignature(key.publicKey, message, signature)).toBe(true);
    const flipped = Uint8Array.from(signature);
    flipped[5] = (flipped[5] ?? 0) ^ 1;
    expect(verifySignature(key.publicKey, message, flipped)).toBe(false);
    expect(verifySignature(new Uint8Array(32), message, signature)).toBe(false);
  });
});
