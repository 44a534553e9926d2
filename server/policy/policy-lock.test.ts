import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type HostKey, loadOrCreateHostKey } from "../keys/host-key";
import { compileContainerSpec } from "./compile-container-spec";
import { canonicalDigest, type LockPayload, signLock, templateDigest } from "./policy-lock";
import { builtinTemplate, builtinText, testImage } from "./policy-test-fixtures";
import { type AgentFiles, verifyPolicy } from "./verify-policy";

let key: HostKey;
let otherKey: HostKey;
beforeAll(async () => {
  key = await loadOrCreateHostKey(join(await mkdtemp(join(tmpdir(), "claw-lock-")), "keys"));
  otherKey = await loadOrCreateHostKey(join(await mkdtemp(join(tmpdir(), "claw-lock-")), "keys"));
});

/** A locked agent's files, as create-agent writes them. */
function lockedAgent(agent = "alpha", signer?: HostKey): AgentFiles {
  const templateText = builtinText("coder");
  const openclaw = { gateway: { mode: "local" }, agent };
  const spec = compileContainerSpec({
    template: builtinTemplate("coder"),
    agent,
    image: testImage,
    host: { rootless: false, panelPort: 7878 },
  });
  const payload: LockPayload = {
    lockVersion: 1,
    agent,
    template: { name: "coder", source: "builtin", hash: templateDigest(templateText) },
    image: testImage,
    artifacts: { "openclaw.json": canonicalDigest(openclaw), "container-spec.json": canonicalDigest(spec) },
    network: { profile: spec.network.profile, allow: spec.network.allow },
    lockedAt: "2026-11-21T12:00:00.000Z",
    previousLockDigest: null,
    keyId: (signer ?? key).keyId,
  };
  return {
    lock: JSON.stringify(signLock(payload, signer ?? key), null, 2),
    templateSnapshot: templateText,
    openclawJson: JSON.stringify(openclaw, null, 2),
    containerSpecJson: JSON.stringify(spec, null, 2),
  };
}

const verify = (files: AgentFiles, extra: { currentImageDigest?: string; sourceTemplate?: string } = {}) =>
  verifyPolicy({ agent: "alpha", files, publicKey: key.publicKey, ...extra });

describe("canonical hashes", () => {
  it("do not change with key order or whitespace", () => {
    const shuffle = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(shuffle);
      if (value && typeof value === "object") {
        return Object.fromEntries(
          Object.entries(value)
            .reverse()
            .map(([k, v]) => [k, shuffle(v)]),
        );
      }
      return value;
    };
    for (let seed = 0; seed < 50; seed++) {
      const value = {
        a: seed,
        nested: { z: [seed, { y: "x", b: null }], c: true },
        list: [3, 2, 1],
        s: `é${seed}`,
      };
      expect(canonicalDigest(shuffle(value))).toBe(canonicalDigest(value));
      expect(canonicalDigest(JSON.parse(JSON.stringify(value, null, seed % 4)))).toBe(canonicalDigest(value));
    }
    const yaml = builtinText("reviewer");
    // Comments, spacing and flow vs block style are formatting, not content.
    const reformatted = `# a comment\n\n${yaml
      .replace("profile: minimal", "profile:    minimal   # why")
      .replace("allow: [read]", "allow:\n      - read")}`;
    expect(templateDigest(reformatted)).toBe(templateDigest(yaml));
    expect(templateDigest(yaml.replace("cpus: 1", "cpus: 2"))).not.toBe(templateDigest(yaml));
  });
});

describe("verifyPolicy tamper matrix", () => {
  it("says ok for untouched files", () => {
    expect(verify(lockedAgent())).toMatchObject({ state: "ok", findings: [] });
  });

  it.each([
    ["no lock", (f: AgentFiles) => ({ ...f, lock: undefined }), "unlocked"],
    [
      "an edited openclaw.json",
      (f: AgentFiles) => ({ ...f, openclawJson: f.openclawJson?.replace('"local"', '"remote"') }),
      "artifact_tamper",
    ],
    [
      "an edited container-spec.json",
      (f: AgentFiles) => ({
        ...f,
        containerSpecJson: f.containerSpecJson?.replace('"readOnlyRootfs": true', '"readOnlyRootfs": false'),
      }),
      "artifact_tamper",
    ],
    ["a removed artifact", (f: AgentFiles) => ({ ...f, openclawJson: undefined }), "artifact_tamper"],
    [
      "an edited template snapshot",
      (f: AgentFiles) => ({
        ...f,
        templateSnapshot: f.templateSnapshot?.replace("pids: 1024", "pids: 99999"),
      }),
      "template_drift",
    ],
    [
      "an edited lock payload",
      (f: AgentFiles) => {
        const envelope = JSON.parse(f.lock ?? "{}");
        const payload = JSON.parse(Buffer.from(envelope.payload, "base64").toString());
        payload.network.allow.push("evil.example");
        envelope.payload = Buffer.from(JSON.stringify(payload)).toString("base64");
        return { ...f, lock: JSON.stringify(envelope) };
      },
      "bad_signature",
    ],
    [
      "an edited signature",
      (f: AgentFiles) => {
        const envelope = JSON.parse(f.lock ?? "{}");
        const sig = Buffer.from(envelope.signatures[0].sig, "base64");
        sig[0] = (sig[0] ?? 0) ^ 1;
        envelope.signatures[0].sig = sig.toString("base64");
        return { ...f, lock: JSON.stringify(envelope) };
      },
      "bad_signature",
    ],
    [
      "another agent's lock swapped in",
      (f: AgentFiles) => ({ ...f, lock: lockedAgent("beta").lock }),
      "bad_signature",
    ],
    ["a lock signed by another key", () => lockedAgent("alpha", otherKey), "bad_signature"],
    ["a lock that is not JSON", (f: AgentFiles) => ({ ...f, lock: "{" }), "bad_signature"],
  ])("detects %s", (_name, tamper, state) => {
    const verdict = verify(tamper(lockedAgent()));
    expect(verdict.state).toBe(state);
    expect(verdict.findings[0]?.message.length).toBeGreaterThan(5);
  });

  it("detects a changed image digest, and a source template changed since the lock", () => {
    const files = lockedAgent();
    expect(verify(files, { currentImageDigest: `sha256:${"cd".repeat(32)}` })).toMatchObject({
      state: "image_drift",
      findings: [{ state: "image_drift", expected: testImage.digest }],
    });
    expect(verify(files, { currentImageDigest: testImage.digest }).state).toBe("ok");
    const drift = verify(files, { sourceTemplate: builtinText("coder").replace("cpus: 2", "cpus: 4") });
    expect(drift.state).toBe("template_drift");
    expect(drift.findings[0]?.message).toContain("has changed since the lock");
  });

  it("lists every finding, with the most serious as the state", () => {
    const files = lockedAgent();
    const verdict = verify(
      { ...files, templateSnapshot: `${files.templateSnapshot}\nextra: 1\n`, openclawJson: "{}" },
      { currentImageDigest: `sha256:${"cd".repeat(32)}` },
    );
    expect(verdict.state).toBe("template_drift");
    expect(verdict.findings.map((f) => f.state)).toEqual([
      "template_drift",
      "artifact_tamper",
      "image_drift",
    ]);
  });
});
