import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileContainerSpec } from "./compile-container-spec";
import { compilePolicy } from "./compile-policy";
import { builtinNames, builtinTemplate, testImage } from "./policy-test-fixtures";

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
});
