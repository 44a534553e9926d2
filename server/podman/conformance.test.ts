import { describe, expect, it } from "vitest";
import { compileContainerSpec } from "../policy/compile-container-spec";
import { builtinTemplate, testImage } from "../policy/policy-test-fixtures";
import { checkConformance, parseProcessFacts } from "./conformance";
import { libpodCreateBody } from "./libpod-create-body";
import type { LibpodInspect } from "./libpod-types";

const agentDir = "/home/u/.claw/agents/my-coder";
const spec = compileContainerSpec({
  template: builtinTemplate("coder"),
  agent: "my-coder",
  image: testImage,
  host: { rootless: false, panelPort: 7878 },
});
const idMapping = { hostBase: 4_294_901_759, size: 65_536 };

/** What Podman 4.3 and the kernel report for a container created from libpodCreateBody(spec). */
function conformingInspect(): LibpodInspect {
  return {
    Id: "c0ffee",
    Name: spec.containerName,
    Created: "",
    State: { Status: "running", Running: true, Pid: 42, ExitCode: 0, StartedAt: "", FinishedAt: "" },
    Config: {
      Hostname: spec.hostname,
      User: spec.user,
      Env: [...Object.entries(spec.env).map(([k, v]) => `${k}=${v}`), "OPENCLAW_GATEWAY_TOKEN=secret"],
      Labels: { ...spec.labels, "claw.home": "abc" },
      StopTimeout: 20,
    },
    Image: testImage.digest.replace("sha256:", ""),
    ImageName: testImage.ref,
    Mounts: spec.mounts.map((mount) => ({
      Type: "bind",
      Source: `${agentDir}/${mount.source}`,
      Destination: mount.target,
      RW: !mount.readOnly,
    })),
    HostConfig: {
      CapAdd: [],
      SecurityOpt: ["no-new-privileges"],
      ReadonlyRootfs: true,
      NetworkMode: "none",
      Memory: spec.resources.memoryBytes,
      MemorySwap: spec.resources.memorySwapBytes,
      NanoCpus: spec.resources.nanoCpus,
      CpuQuota: 200_000,
      CpuPeriod: 100_000,
      PidsLimit: spec.resources.pidsLimit,
      Privileged: false,
      UsernsMode: "private",
      Tmpfs: null,
      PortBindings: {},
    },
  };
}

const status = (overrides: Record<string, string> = {}) =>
  Object.entries({
    Uid: `${idMapping.hostBase + 1000}\t${idMapping.hostBase + 1000}\t${idMapping.hostBase + 1000}\t${idMapping.hostBase + 1000}`,
    CapEff: "0000000000000000",
    CapBnd: "0000000000000000",
    NoNewPrivs: "1",
    Seccomp: "2",
    ...overrides,
  })
    .map(([key, value]) => `${key}:\t${value}`)
    .join("\n");
const uidMap = `         0 ${idMapping.hostBase}      65536\n`;
const mountinfo = [
  "186 150 0:58 / / ro,relatime - overlay overlay rw,lowerdir=/a",
  "192 186 0:59 / /tmp rw,nosuid,nodev,relatime - tmpfs tmpfs rw,size=524288k",
].join("\n");

const check = (inspect = conformingInspect(), process = parseProcessFacts(status(), uidMap, mountinfo)) =>
  checkConformance({ spec, agentDir, inspect, process, idMapping });

describe("checkConformance", () => {
  it("finds nothing wrong with a container made from the spec", () => {
    expect(check()).toEqual([]);
  });

  const changes: [string, (i: LibpodInspect) => void, string][] = [
    ["a capability added", (i) => Object.assign(i.HostConfig, { CapAdd: ["CAP_SYS_ADMIN"] }), "cap-add"],
    [
      "a writable root",
      (i) => Object.assign(i.HostConfig, { ReadonlyRootfs: false }),
      "read-only root filesystem",
    ],
    ["a network", (i) => Object.assign(i.HostConfig, { NetworkMode: "bridge" }), "network"],
    [
      "a published port",
      (i) => Object.assign(i.HostConfig, { PortBindings: { "18789/tcp": [] } }),
      "published ports",
    ],
    ["more memory", (i) => Object.assign(i.HostConfig, { Memory: i.HostConfig.Memory * 2 }), "memory"],
    ["no pids limit", (i) => Object.assign(i.HostConfig, { PidsLimit: 0 }), "pids"],
    ["privileged", (i) => Object.assign(i.HostConfig, { Privileged: true }), "privileged"],
    ["another user", (i) => Object.assign(i.Config, { User: "0:0" }), "user"],
    [
      "the Podman socket mounted",
      (i) =>
        i.Mounts.push({
          Type: "bind",
          Source: "/run/podman/podman.sock",
          Destination: "/run/podman.sock",
          RW: true,
        }),
      "mount /run/podman.sock",
    ],
    [
      "the workspace mounted read-only",
      (i) => Object.assign(i.Mounts[0] ?? {}, { RW: false }),
      "mount /workspace",
    ],
    ["another image", (i) => Object.assign(i, { Image: "ff".repeat(32) }), "image"],
  ];
  it.each(changes)("names %s", (_, change, setting) => {
    const inspect = conformingInspect();
    change(inspect);
    expect(check(inspect).map((finding) => finding.setting)).toContain(setting);
  });

  it.each([
    ["an effective capability", { CapEff: "0000000000000400" }, "effective capabilities"],
    ["a bounding capability", { CapBnd: "00000000a80425fb" }, "bounding capabilities (cap-drop ALL)"],
    ["no no-new-privileges", { NoNewPrivs: "0" }, "no-new-privileges"],
    ["no seccomp", { Seccomp: "0" }, "seccomp"],
    ["root on the host", { Uid: "0\t0\t0\t0" }, "runs as non-root on the host"],
  ])("names %s the kernel reports", (_, overrides, setting) => {
    const findings = check(conformingInspect(), parseProcessFacts(status(overrides), uidMap, mountinfo));
    expect(findings.map((finding) => finding.setting)).toContain(setting);
  });

  it("names a root filesystem the kernel mounted writable, and a missing /tmp tmpfs", () => {
    const writable = "186 150 0:58 / / rw,relatime - overlay overlay rw";
    const findings = check(conformingInspect(), parseProcessFacts(status(), uidMap, writable));
    expect(findings.map((finding) => finding.setting)).toEqual(
      expect.arrayContaining(["read-only root filesystem", "tmpfs /tmp"]),
    );
  });
});

describe("libpodCreateBody", () => {
  it("carries every hardening setting of the spec, the fixed id range, and secrets only as values", () => {
    const body = libpodCreateBody(spec, {
      agentDir,
      idMapping,
      secretEnv: { OPENCLAW_GATEWAY_TOKEN: "t0k" },
      runtimeLabels: { "claw.home": "abc" },
    });
    expect(body).toMatchObject({
      name: "claw-agent-my-coder",
      hostname: "my-coder",
      user: "1000:1000",
      cap_drop: ["ALL"],
      cap_add: [],
      no_new_privileges: true,
      read_only_filesystem: true,
      netns: { nsmode: "none" },
      userns: { nsmode: "private" },
      idmappings: { UIDMap: [{ container_id: 0, host_id: idMapping.hostBase, size: 65_536 }] },
      resource_limits: { pids: { limit: 1024 }, cpu: { quota: 200_000, period: 100_000 } },
      labels: { "claw.agent": "my-coder", "claw.home": "abc" },
    });
    expect(body.env.OPENCLAW_GATEWAY_TOKEN).toBe("t0k");
    expect(body.env).not.toHaveProperty("CLAW_ANTHROPIC_API_KEY"); // not configured: left unset
    const workspace = body.mounts.find((mount) => mount.destination === "/workspace");
    expect(workspace).toEqual({
      destination: "/workspace",
      type: "bind",
      source: `${agentDir}/workspace`,
      options: ["rbind", "rw", "U", "nosuid", "nodev"],
    });
    const config = body.mounts.find((mount) => mount.destination === "/etc/claw/openclaw.json");
    expect(config?.options).toContain("ro");
    expect(config?.options).not.toContain("U");
  });
});
