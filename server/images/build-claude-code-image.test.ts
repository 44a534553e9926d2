/**
 * The pure parts of the Claude Code image: its pins and the inputs hash built from them and the
 * real context dir. The image itself is built by scripts/build-images.ts and run in
 * test/claude-code-image.test.ts.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { debianSuite } from "./build-base-image";
import { claudeCodeImagePins, defaultClaudeCodeContextDir } from "./build-claude-code-image";
import { hashImageInputs, readContextFiles } from "./image-inputs";
import { CLAUDE_CODE_VERSION } from "./install-claude-code";
import { NODE_VERSION } from "./install-openclaw";

const claudeCode = { version: CLAUDE_CODE_VERSION, platformPackage: "@anthropic-ai/claude-code-linux-x64" };
const node = { nodeVersion: NODE_VERSION };
const install = { claudeCode, node };
const debVersions = { git: "1:2.39.5-0+deb12u3", tini: "0.19.0-1+b3", "perl-base": "5.36.0-7+deb12u4" };
const baseInputsHash = "a".repeat(64);

describe("claudeCodeImagePins", () => {
  it("pins the binary, its package, Node, the base, the suite, the arch and every .deb", () => {
    expect(claudeCodeImagePins({ install, baseInputsHash, debVersions })).toEqual({
      claudeCode: "2.1.330",
      claudeCodePackage: "@anthropic-ai/claude-code-linux-x64",
      node: "24.21.0",
      debianSuite,
      base: baseInputsHash,
      arch: process.arch,
      "deb:git": "1:2.39.5-0+deb12u3",
      "deb:tini": "0.19.0-1+b3",
      "deb:perl-base": "5.36.0-7+deb12u4",
    });
  });
});

describe("the Claude Code image's inputs hash", () => {
  const hashWith = async (change: {
    claudeCode?: Partial<typeof claudeCode>;
    node?: typeof node;
    baseInputsHash?: string;
    debVersions?: Record<string, string>;
  }) =>
    hashImageInputs({
      files: await readContextFiles(defaultClaudeCodeContextDir),
      pins: claudeCodeImagePins({
        install: { claudeCode: { ...claudeCode, ...change.claudeCode }, node: change.node ?? node },
        baseInputsHash: change.baseInputsHash ?? baseInputsHash,
        debVersions: change.debVersions ?? debVersions,
      }),
    });

  it("is stable, and changes with the pin, the package, Node, the base and any .deb", async () => {
    const hash = await hashWith({});
    expect(await hashWith({})).toBe(hash);
    const changed = await Promise.all([
      hashWith({ claudeCode: { version: "2.1.331" } }),
      hashWith({ claudeCode: { platformPackage: "@anthropic-ai/claude-code-linux-arm64" } }),
      hashWith({ node: { nodeVersion: "24.22.0" } }),
      hashWith({ baseInputsHash: "b".repeat(64) }),
      hashWith({ debVersions: { ...debVersions, git: "1:2.39.5-0+deb12u4" } }),
      hashWith({ debVersions: { ...debVersions, libexpat1: "2.5.0-1+deb12u5" } }),
    ]);
    expect(new Set([hash, ...changed]).size).toBe(changed.length + 1);
  });

  it("covers the Containerfile, whose .deb layer is keyed on the set of .debs", async () => {
    const files = await readContextFiles(defaultClaudeCodeContextDir);
    expect(files.map((file) => file.path)).toEqual(["Containerfile", "claw-job-init"]);
    const containerfile = await readFile(join(defaultClaudeCodeContextDir, "Containerfile"), "utf8");
    // Without the ARG, podman's layer cache reuses an older .deb layer for a new set of .debs.
    const arg = containerfile.indexOf("ARG CLAW_DEBS");
    expect(arg).toBeGreaterThan(containerfile.indexOf("FROM "));
    expect(arg).toBeLessThan(containerfile.indexOf("apt-get install"));
    // apt, not `dpkg -i *.deb`, orders them: python3's Pre-Depends fail in name order.
    expect(containerfile).not.toMatch(/^\s*[^#\s].*dpkg -i/m);
    // assemble puts the pieces at the context's top level under these names.
    expect(containerfile).toMatch(/^COPY node \/usr\/local\/bin\/node$/m);
    expect(containerfile).toMatch(/^COPY claude \/usr\/local\/bin\/claude$/m);
    expect(containerfile).toMatch(/^ENTRYPOINT \["tini", "--"\]$/m);
    expect(containerfile).toMatch(/^USER 1000:1000$/m);
  });
});
