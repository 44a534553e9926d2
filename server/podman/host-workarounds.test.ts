import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  applyHostWorkaround,
  classifyCgroupLayout,
  decideHostWorkaround,
  gatherHostFacts,
  type HostFacts,
  parseCanRaiseHardLimits,
  parseProcLimits,
  renderContainersConf,
} from "./host-workarounds";

const CGROUP2 = 0x63677270;
const TMPFS = 0x01021994;

/** This host, as measured: hybrid v1, nofile 20000, nproc 96365, root without CAP_SYS_RESOURCE. */
const sandboxRoot: HostFacts = {
  cgroupLayout: "v1-hybrid",
  hardNofile: 20_000,
  hardNproc: 96_365,
  canRaiseHardLimits: false,
  rootless: false,
  uid: 0,
};

describe("decideHostWorkaround", () => {
  it("on hybrid v1 with low hard limits, rootful: ulimits from the real limits and runc", () => {
    const w = decideHostWorkaround(sandboxRoot);
    expect(w.needed).toBe(true);
    // nproc is capped at 32768: Podman lowers its own RLIMIT_NPROC to that before runc runs.
    expect(w.ulimits).toEqual({ nofile: 20_000, nproc: 32_768 });
    expect(w.runtime).toBe("runc");
    expect(w.reasons).toHaveLength(2);
    expect(w.conf).toContain('default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]');
    expect(w.conf).toContain('[engine]\nruntime = "runc"');
  });

  it("keeps a hard nproc below Podman's ceiling as it is", () => {
    const w = decideHostWorkaround({ ...sandboxRoot, hardNproc: 4_096 });
    expect(w.ulimits).toEqual({ nofile: 20_000, nproc: 4_096 });
  });

  it("treats unlimited limits as Podman's own values", () => {
    const w = decideHostWorkaround({ ...sandboxRoot, cgroupLayout: "v2", hardNofile: null, hardNproc: null });
    // nofile unlimited meets Podman's ask; nproc is still capped by Podman itself.
    expect(w.ulimits).toEqual({ nofile: 1_048_576, nproc: 32_768 });
    expect(w.runtime).toBeUndefined();
  });

  it("on legacy v1 selects runc too", () => {
    const w = decideHostWorkaround({ ...sandboxRoot, cgroupLayout: "v1-legacy", canRaiseHardLimits: true });
    expect(w).toMatchObject({ needed: true, runtime: "runc", ulimits: undefined });
    expect(w.reasons[0]).toContain("legacy");
    expect(w.conf).not.toContain("default_ulimits");
  });

  it("on v2 rootful with CAP_SYS_RESOURCE needs nothing", () => {
    const w = decideHostWorkaround({ ...sandboxRoot, cgroupLayout: "v2", canRaiseHardLimits: true });
    expect(w).toEqual({ needed: false, reasons: [] });
  });

  it("on v2 rootful without the capability sets ulimits only", () => {
    const w = decideHostWorkaround({ ...sandboxRoot, cgroupLayout: "v2" });
    expect(w.needed).toBe(true);
    expect(w.runtime).toBeUndefined();
    expect(w.conf).not.toContain("[engine]");
  });

  it("rootless needs no ulimits (Podman clamps them itself); v1 still gets runc", () => {
    const rootless = { ...sandboxRoot, rootless: true, uid: 1000 };
    expect(decideHostWorkaround({ ...rootless, cgroupLayout: "v2" })).toEqual({ needed: false, reasons: [] });
    const v1 = decideHostWorkaround(rootless);
    expect(v1).toMatchObject({ needed: true, runtime: "runc", ulimits: undefined });
  });

  it("leaves an unknown cgroup layout alone", () => {
    const w = decideHostWorkaround({ ...sandboxRoot, cgroupLayout: "unknown", canRaiseHardLimits: true });
    expect(w.needed).toBe(false);
  });
});

describe("renderContainersConf", () => {
  it("writes only the sections asked for", () => {
    expect(renderContainersConf({})).not.toContain("[");
    const text = renderContainersConf({ ulimits: { nofile: 10, nproc: 20 }, runtime: "runc" });
    expect(text).toMatch(
      /\[containers\]\ndefault_ulimits = \["nofile=10:10", "nproc=20:20"\]\n\n\[engine\]\nruntime = "runc"\n$/,
    );
  });
});

describe("parseProcLimits", () => {
  const text = [
    "Limit                     Soft Limit           Hard Limit           Units     ",
    "Max cpu time              unlimited            unlimited            seconds   ",
    "Max processes             96365                96365                processes ",
    "Max open files            1024                 20000                files     ",
    "Max locked memory         8388608              8388608              bytes     ",
  ].join("\n");

  it("reads the hard column", () => {
    expect(parseProcLimits(text)).toEqual({ hardNofile: 20_000, hardNproc: 96_365 });
  });

  it("maps unlimited to null", () => {
    const unlimited = text.replace("96365                96365", "unlimited            unlimited");
    expect(parseProcLimits(unlimited).hardNproc).toBeNull();
  });

  it("refuses text without the lines", () => {
    expect(() => parseProcLimits("Limit Soft Hard")).toThrow(/Max open files/);
  });
});

describe("parseCanRaiseHardLimits", () => {
  it("finds CAP_SYS_RESOURCE (bit 24) in CapEff", () => {
    expect(parseCanRaiseHardLimits("CapInh:\t0\nCapEff:\t000001ffffffffff\n")).toBe(true);
    // This sandbox: everything but bit 24.
    expect(parseCanRaiseHardLimits("CapEff:\t000001fffeffffff\n")).toBe(false);
    expect(parseCanRaiseHardLimits("CapEff:\t0000000000000000\n")).toBe(false);
    expect(parseCanRaiseHardLimits("no caps here")).toBe(false);
  });
});

describe("classifyCgroupLayout", () => {
  it("tells the three layouts apart", () => {
    expect(classifyCgroupLayout(CGROUP2, null)).toBe("v2");
    expect(classifyCgroupLayout(TMPFS, CGROUP2)).toBe("v1-hybrid");
    expect(classifyCgroupLayout(TMPFS, null)).toBe("v1-legacy");
    expect(classifyCgroupLayout(null, null)).toBe("unknown");
  });
});

describe("gatherHostFacts", () => {
  it("reads this process's facts", async () => {
    const facts = await gatherHostFacts();
    const own = parseProcLimits(await readFile("/proc/self/limits", "utf8"));
    expect(facts.hardNofile).toBe(own.hardNofile);
    expect(facts.uid).toBe(process.geteuid?.());
    expect(facts.rootless).toBe(process.geteuid?.() !== 0);
    expect(["v2", "v1-hybrid", "v1-legacy", "unknown"]).toContain(facts.cgroupLayout);
  });

  it("reads facts from other files when told", async () => {
    const dir = await mkdtemp(join(tmpdir(), "claw-facts-"));
    try {
      await writeFile(join(dir, "limits"), "Max processes  1  2  processes\nMax open files  3  4  files\n");
      await writeFile(join(dir, "status"), "CapEff:\t0000000001000000\n");
      const facts = await gatherHostFacts({ procSelf: dir, cgroupRoot: join(dir, "none"), uid: 1000 });
      expect(facts).toEqual({
        cgroupLayout: "unknown",
        hardNofile: 4,
        hardNproc: 2,
        canRaiseHardLimits: true,
        rootless: true,
        uid: 1000,
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("applyHostWorkaround", () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("writes the conf 0600 when needed and removes it when not", async () => {
    dir = await mkdtemp(join(tmpdir(), "claw-conf-"));
    const paths = { containersConf: join(dir, "containers.conf") };
    const written = await applyHostWorkaround(paths, decideHostWorkaround(sandboxRoot));
    expect(written).toBe(paths.containersConf);
    expect((await stat(paths.containersConf)).mode & 0o777).toBe(0o600);
    expect(await readFile(paths.containersConf, "utf8")).toContain('runtime = "runc"');

    const none = await applyHostWorkaround(paths, { needed: false, reasons: [] });
    expect(none).toBeUndefined();
    await expect(stat(paths.containersConf)).rejects.toThrow(/ENOENT/);
  });
});
