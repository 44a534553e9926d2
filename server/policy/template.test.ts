import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { listTemplates } from "./load-templates";
import { parseTemplate } from "./parse-template";
import { builtinNames, builtinTemplate, builtinText, problemsOf } from "./policy-test-fixtures";

/** The coder built-in without its presets line (it would make the network section's own problem). */
const noPresets = (text: string) => text.replace("    presets: [github]\n", "");

describe("templates", () => {
  it("ships four built-ins that parse", async () => {
    const all = await listTemplates(join(tmpdir(), "no-such-dir"));
    expect(all.map((t) => [t.name, t.source.kind, t.problems])).toEqual(
      builtinNames.map((name) => [name, "builtin", undefined]),
    );
  });

  it("lets a user template override a built-in by name and lists a broken one with its problems", async () => {
    const dir = await mkdtemp(join(tmpdir(), "claw-templates-"));
    await writeFile(join(dir, "coder.yaml"), builtinText("coder").replace("cpus: 2", "cpus: 3"));
    await writeFile(join(dir, "broken.yaml"), "apiVersion: claw/v1\nkind: AgentTemplate\n");
    const all = await listTemplates(dir);
    const coder = all.find((t) => t.name === "coder");
    expect(coder).toMatchObject({ source: { kind: "user" }, overrides: true });
    expect(coder?.template?.container.resources.cpus).toBe(3);
    const broken = all.find((t) => t.name === "broken");
    expect(broken?.template).toBeUndefined();
    expect(broken?.problems?.map((p) => p.path)).toEqual(
      expect.arrayContaining(["metadata", "openclaw", "container"]),
    );
  });

  it.each([
    [
      "a name with path tricks",
      (t: string) => t.replace("name: coder", "name: ../../etc"),
      "metadata.name",
      "name: ../../etc",
    ],
    [
      "an unknown network profile",
      (t: string) => t.replace("profile: restricted", "profile: open"),
      "container.network.profile",
      "profile: open",
    ],
    [
      "an allowlist on the none profile",
      (t: string) => noPresets(t).replace("profile: restricted", "profile: none\n    allow: [example.com]"),
      "container.network.allow",
      "allow: [example.com]",
    ],
    [
      "an egress mode on the none profile",
      (t: string) => noPresets(t).replace("profile: restricted", "profile: none\n    mode: ask"),
      "container.network.mode",
      "mode: ask",
    ],
    [
      "an unknown egress mode",
      (t: string) => t.replace("presets: [github]", "presets: [github]\n    mode: block"),
      "container.network.mode",
      "mode: block",
    ],
    [
      "an unknown preset",
      (t: string) => t.replace("presets: [github]", "presets: [github, gitlab]"),
      "container.network.presets.1",
      "presets: [github, gitlab]",
    ],
    [
      "an ask timeout under 5 s",
      (t: string) =>
        t.replace("presets: [github]", "presets: [github]\n    mode: ask\n    askTimeoutSeconds: 2"),
      "container.network.askTimeoutSeconds",
      "askTimeoutSeconds: 2",
    ],
    [
      "a plain-HTTP rule for an https URL",
      (t: string) => t.replace("presets: [github]", 'allow: ["GET https://example.org/*"]'),
      "container.network.allow.0",
      "GET https://example.org/*",
    ],
    [
      "a memory size without a unit",
      (t: string) => t.replace("memory: 2g", "memory: 2"),
      "container.resources.memory",
      "memory: 2",
    ],
    [
      "an unknown key",
      (t: string) => t.replace("  mounts:", "  privileged: true\n  mounts:"),
      "container.privileged",
      "privileged: true",
    ],
    [
      "a URL where a host belongs",
      (t: string) => t.replace("presets: [github]", "allow:\n      - https://github.com"),
      "container.network.allow.0",
      "https://github.com",
    ],
  ])("rejects %s, saying where", (_name, edit, path, marker) => {
    const text = edit(builtinText("coder"));
    // The line the problem is on: the last line holding the marker (the network's `allow:` comes after the tools').
    const line = text.split("\n").findLastIndex((candidate) => candidate.includes(marker)) + 1;
    const problems = problemsOf(text);
    expect(problems[0]).toMatchObject({ source: "t.yaml", path, line });
    expect(problems[0]?.message.length).toBeGreaterThan(5);
  });

  it("reports YAML syntax errors with line and column", () => {
    expect(problemsOf("apiVersion: claw/v1\nkind: [AgentTemplate\n")[0]).toMatchObject({ line: 3 });
  });

  it("says what is wrong with an egress mode or a preset, and what would do", () => {
    const coder = builtinText("coder");
    expect(
      problemsOf(noPresets(coder).replace("profile: restricted", "profile: none\n    mode: ask")),
    ).toEqual([
      expect.objectContaining({
        path: "container.network.mode",
        message:
          "egress mode ask needs the restricted or devops profile (the none profile has no egress proxy to ask through)",
      }),
    ]);
    expect(
      problemsOf(noPresets(coder).replace("profile: restricted", "profile: full\n    mode: learn")),
    ).toEqual([
      expect.objectContaining({
        path: "container.network.mode",
        message: expect.stringMatching(/to record\)$/),
      }),
    ]);
    const [preset] = problemsOf(coder.replace("presets: [github]", "presets: [gitlab]"));
    for (const name of ["github", "npm", "pypi", "anthropic", "openclaw-hub", "debian"])
      expect(preset?.message).toContain(`"${name}"`);
    // A preset is an allowlist too: the none profile takes neither.
    expect(problemsOf(coder.replace("profile: restricted", "profile: none"))).toEqual([
      expect.objectContaining({
        path: "container.network.allow",
        message: expect.stringContaining("takes no allowlist"),
      }),
    ]);
  });

  it("accepts a restricted agent with no allowlist that asks or learns, and fills in the defaults", () => {
    const coder = noPresets(builtinText("coder"));
    expect(problemsOf(coder)).toEqual([
      expect.objectContaining({
        path: "container.network.allow",
        message: "the restricted profile needs at least one allowed host or preset (or mode: ask)",
      }),
    ]);
    for (const mode of ["ask", "learn"]) {
      const text = coder.replace("profile: restricted", `profile: restricted\n    mode: ${mode}`);
      expect(problemsOf(text)).toEqual([]);
      expect(parseTemplate(text, "t.yaml").container.network).toEqual({
        profile: "restricted",
        allow: [],
        presets: [],
        mode,
        askTimeoutSeconds: 60,
      });
    }
    const timed = coder.replace(
      "profile: restricted",
      "profile: devops\n    mode: ask\n    askTimeoutSeconds: 600",
    );
    expect(parseTemplate(timed, "t.yaml").container.network.askTimeoutSeconds).toBe(600);
    expect(builtinTemplate("coder").container.network).toMatchObject({ mode: "deny", presets: ["github"] });
  });
});
