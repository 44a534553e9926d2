import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { matchRule, parseRules } from "../egress/egress-rules";
import { compileContainerSpec } from "./compile-container-spec";
import { compilePolicy } from "./compile-policy";
import { egressPresets } from "./egress-presets";
import { explainPolicy } from "./explain-policy";
import { parseTemplate } from "./parse-template";
import { builtinNames, builtinTemplate, builtinText, testImage } from "./policy-test-fixtures";

const goldenDir = new URL("./golden/", import.meta.url).pathname;

describe("compileContainerSpec", () => {
  it.each(builtinNames)("%s compiles to the golden artifacts (rootful)", async (name) => {
    const compiled = compilePolicy({
      template: builtinTemplate(name),
      agent: `my-${name}`,
      image: testImage,
      host: { rootless: false, panelPort: 7878 },
    });
    for (const [suffix, value] of [
      ["container-spec.json", compiled.containerSpec],
      ["openclaw.json", compiled.openclawConfig],
      // What a person reads (claw policy explain, the Policy tab): its wording changes show here too.
      ["explanation.json", explainPolicy(compiled)],
    ] as const) {
      const path = join(goldenDir, `${name}.${suffix}`);
      const text = `${JSON.stringify(value, null, 2)}\n`;
      if (process.env.UPDATE_GOLDEN === "1") await writeFile(path, text);
      expect(text, `${path} (run with UPDATE_GOLDEN=1 after an intended change)`).toBe(
        await readFile(path, "utf8"),
      );
    }
  });

  it("hardens every agent the same way, whatever the template", () => {
    for (const name of builtinNames) {
      const spec = compileContainerSpec({
        template: builtinTemplate(name),
        agent: "a",
        image: testImage,
        host: { rootless: true, panelPort: 7878 },
      });
      expect(spec).toMatchObject({
        capDrop: ["ALL"],
        noNewPrivileges: true,
        readOnlyRootfs: true,
        seccomp: "default",
        user: "1000:1000",
      });
      expect(spec.userns).toEqual({ mode: "keep-id", uid: 1000, gid: 1000 });
      expect(spec.mounts.map((m) => m.source)).not.toContain("..");
      expect(spec.mounts.every((m) => !m.source.startsWith("/"))).toBe(true);
      expect(Object.keys(spec.env).join(" ")).not.toMatch(/TOKEN|KEY|SECRET/);
      expect(spec.secretEnv).toContain("OPENCLAW_GATEWAY_TOKEN");
    }
  });

  it("gives no network to any profile but full, and a proxy only to the allowlisted ones", () => {
    const spec = (name: string, rootless = false) =>
      compileContainerSpec({
        template: builtinTemplate(name),
        agent: "a",
        image: testImage,
        host: { rootless, panelPort: 7878 },
      });
    expect(spec("security").network).toMatchObject({ mode: "none", egressProxy: null, allow: [] });
    expect(spec("coder").network).toMatchObject({ mode: "none", profile: "restricted" });
    expect(spec("coder").network.egressProxy).not.toBeNull();
    expect(spec("reviewer").mounts.find((m) => m.target === "/workspace")?.readOnly).toBe(true);
    expect(spec("coder").mounts.find((m) => m.target === "/workspace")?.readOnly).toBe(false);
    const full = builtinTemplate("coder");
    full.container.network = { ...full.container.network, profile: "full", allow: [] };
    expect(
      compileContainerSpec({
        template: full,
        agent: "a",
        image: testImage,
        host: { rootless: false, panelPort: 7878 },
      }).network.mode,
    ).toBe("bridge");
    expect(
      compileContainerSpec({
        template: full,
        agent: "a",
        image: testImage,
        host: { rootless: true, panelPort: 7878 },
      }).network.mode,
    ).toBe("slirp4netns");
  });

  /** The coder built-in with its network section's settings (after `profile: …`) replaced by `lines`. */
  const networkOf = (profile: string, lines: string[]) =>
    compileContainerSpec({
      template: parseTemplate(
        builtinText("coder")
          .replace(
            "    profile: restricted\n",
            [`    profile: ${profile}`, ...lines.map((line) => `    ${line}`), ""].join("\n"),
          )
          .replace(/\n {4}# The github preset.*\n {4}presets: \[github\]\n/, "\n"),
        "t.yaml",
      ),
      agent: "a",
      image: testImage,
      host: { rootless: false, panelPort: 7878 },
    }).network;

  it("expands presets into the allowlist, each host once, and names them beside it", () => {
    const network = networkOf("devops", [
      "presets: [pypi, github]",
      'allow: ["github.com", "GET http://deb.example.org/pool/*"]',
    ]);
    expect(network.presets).toEqual(["github", "pypi"]);
    expect(network.allow).toEqual(
      [
        ...new Set([
          "github.com",
          "GET http://deb.example.org/pool/*",
          ...egressPresets.github,
          ...egressPresets.pypi,
        ]),
      ].sort(),
    );
    // The coder built-in: every GitHub host it listed before the preset is still allowed.
    const coder = compilePolicy({
      template: builtinTemplate("coder"),
      agent: "a",
      image: testImage,
      host: { rootless: false, panelPort: 7878 },
    }).containerSpec.network;
    expect(coder.presets).toEqual(["github"]);
    const rules = parseRules(coder.allow);
    for (const host of ["github.com", "api.github.com", "raw.githubusercontent.com", "codeload.github.com"])
      expect(matchRule(rules, host, 443), host).toBeDefined();
  });

  it("compiles deny as before: no mode, timeout or presets in the spec, whatever the template spells out", () => {
    const plain = networkOf("restricted", ["allow: [api.example.com]"]);
    expect(plain).toEqual({
      profile: "restricted",
      mode: "none",
      allow: ["api.example.com"],
      egressProxy: { socketDir: "run/egress", listen: "127.0.0.1:3128" },
    });
    expect(
      networkOf("restricted", [
        "allow: [api.example.com]",
        "mode: deny",
        "askTimeoutSeconds: 30",
        "presets: []",
      ]),
    ).toEqual(plain);
    expect(networkOf("restricted", ["mode: ask", "askTimeoutSeconds: 30"])).toEqual({
      profile: "restricted",
      mode: "none",
      allow: [],
      egressProxy: { socketDir: "run/egress", listen: "127.0.0.1:3128", mode: "ask", askTimeoutSeconds: 30 },
    });
    expect(networkOf("devops", ["mode: learn"]).egressProxy).toMatchObject({
      mode: "learn",
      askTimeoutSeconds: 60,
    });
  });
});
