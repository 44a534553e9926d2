import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ClawPaths, clawPaths } from "../config";
import { createPodmanService, type PodmanService } from "../podman/podman-service";
import { cleanPodmanEnv } from "../podman/podman-test-env";
import { runDoctorChecks } from "./run-doctor-checks";

const ALL_IDS = [
  "podman-binary",
  "podman-socket",
  "podman-mode",
  "cgroups",
  "oci-runtime",
  "host-workaround",
  "subids",
  "claw-home",
  "panel-socket",
  "host-key",
];

describe("runDoctorChecks (real Podman)", () => {
  let home: string;
  let paths: ClawPaths;
  let podman: PodmanService;

  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), "claw-doctor-"));
    await chmod(home, 0o700);
    paths = clawPaths(home);
    podman = createPodmanService(paths, {
      candidates: [{ source: "system", socketPath: join(home, "nobody.sock") }],
      env: cleanPodmanEnv(),
    });
  });

  afterEach(async () => {
    await podman.close();
    await rm(home, { recursive: true, force: true });
  });

  it("returns every check with a verdict, and a fix for each one that is not ok", async () => {
    const subids = join(home, "subids");
    await writeFile(subids, "containers:2147483647:2147483648\n");
    const checks = await runDoctorChecks({ paths, podman, subuidPath: subids, subgidPath: subids });
    for (const check of checks) console.info(`${check.status.padEnd(4)} ${check.id}: ${check.detail}`);

    expect(checks.map((c) => c.id)).toEqual(ALL_IDS);
    for (const check of checks) {
      expect(["ok", "warn", "fail"]).toContain(check.status);
      expect(check.detail).not.toBe("");
      if (check.status !== "ok") expect(check.fix, check.id).toBeTruthy();
    }
    const byId = Object.fromEntries(checks.map((c) => [c.id, c]));
    expect(byId["podman-binary"]?.status).toBe("ok");
    expect(byId["podman-socket"]).toMatchObject({ status: "ok", detail: /started by claw/ });
    expect(byId["claw-home"]?.status).toBe("ok");
    expect(byId["panel-socket"]).toMatchObject({ status: "ok", detail: /Not there/ });
    expect(byId.subids?.status).toBe(process.geteuid?.() === 0 ? "ok" : "fail");
  });

  it("flags a 0755 CLAW_HOME and a panel socket others can connect to as failing", async () => {
    await chmod(home, 0o755);
    await mkdir(dirname(paths.panelSocket), { recursive: true });
    await writeFile(paths.panelSocket, "", { mode: 0o666 });
    await chmod(paths.panelSocket, 0o666);
    const checks = await runDoctorChecks({
      paths,
      podman,
      subuidPath: "/nonexistent",
      subgidPath: "/nonexistent",
    });
    const byId = Object.fromEntries(checks.map((c) => [c.id, c]));
    expect(byId["claw-home"]).toMatchObject({
      status: "fail",
      detail: /mode 0755/,
      fix: `chmod 700 ${home}`,
    });
    expect(byId["panel-socket"]).toMatchObject({ status: "fail", fix: `chmod 600 ${paths.panelSocket}` });
    // Missing subid files read as empty: that is a finding, not a crash.
    expect(byId.subids).toMatchObject({ status: "fail", fix: /subuid/ });
  });
});

describe("runDoctorChecks isolation", () => {
  it("turns a check that throws into its own failure and still runs the others", async () => {
    const home = await mkdtemp(join(tmpdir(), "claw-doctor-"));
    try {
      await chmod(home, 0o700);
      const broken = { status: () => Promise.reject(new Error("status exploded")) };
      const checks = await runDoctorChecks({
        paths: clawPaths(home),
        podman: broken,
        hostFacts: () => Promise.reject(new Error("no /proc")),
      });
      expect(checks.map((c) => c.id)).toEqual(ALL_IDS);
      const byId = Object.fromEntries(checks.map((c) => [c.id, c]));
      expect(byId["podman-socket"]).toMatchObject({ status: "fail", detail: /status exploded/ });
      expect(byId.cgroups).toMatchObject({ status: "fail", detail: /no \/proc|status exploded/ });
      expect(byId["claw-home"]?.status).toBe("ok");
      expect(byId["panel-socket"]?.status).toBe("ok");
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});
