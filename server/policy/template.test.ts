import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { listTemplates } from "./load-templates";
import { builtinNames, builtinText, problemsOf } from "./policy-test-fixtures";

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
      (t: string) => t.replace("profile: restricted", "profile: none"),
      "container.network.allow",
      "allow:",
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
      (t: string) => t.replace("- github.com", "- https://github.com"),
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
});
