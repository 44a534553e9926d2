import { describe, expect, it } from "vitest";
import type { PodmanStatus } from "../podman/podman-service";
import {
  verdictCgroups,
  verdictHostWorkaround,
  verdictOciRuntime,
  verdictPodmanBinary,
  verdictPodmanMode,
  verdictPodmanSocket,
  verdictSubIds,
} from "./doctor-verdicts";
import { shellQuote, verdictClawHome, verdictHostKey, verdictPanelSocket } from "./file-verdicts";
import { parseSubIdFile } from "./parse-subids";

const rootful: PodmanStatus = {
  reachable: true,
  version: "4.3.1",
  apiVersion: "1.41",
  rootless: false,
  cgroupVersion: "v1",
  cgroupControllers: ["cpuset", "cpu", "memory", "pids"],
  ociRuntime: "runc",
  socketPath: "/home/u/.claw/run/podman.sock",
  source: "panel",
  workaround: {
    needed: true,
    active: true,
    reasons: ["cgroups v1 (hybrid): claw selects runc."],
    confPath: "/c",
  },
};

const unreachable: PodmanStatus = {
  reachable: false,
  error: { message: "Podman is not installed", fix: "apt-get install -y podman" },
  workaround: { needed: false, active: false, reasons: [] },
};

describe("verdictPodmanBinary", () => {
  it("accepts Podman 4 and refuses older or missing ones with a command", () => {
    expect(
      verdictPodmanBinary({ path: "/usr/bin/podman", versionOutput: "podman version 4.3.1" }),
    ).toMatchObject({
      status: "ok",
      detail: "Podman 4.3.1 at /usr/bin/podman.",
    });
    expect(
      verdictPodmanBinary({ path: "/usr/bin/podman", versionOutput: "podman version 3.4.4" }),
    ).toMatchObject({
      status: "fail",
      fix: /apt-get install -y podman/,
    });
    expect(verdictPodmanBinary({})).toMatchObject({ status: "fail", fix: /apt-get install -y podman runc/ });
    expect(verdictPodmanBinary({ path: "/x/podman", error: "EACCES" })).toMatchObject({ status: "fail" });
  });
});

describe("verdictPodmanSocket", () => {
  it("names the socket and where it came from", () => {
    expect(verdictPodmanSocket(rootful)).toMatchObject({
      status: "ok",
      detail: /run\/podman.sock \(started by claw\)/,
    });
  });

  it("fails with the connection's own fix", () => {
    expect(verdictPodmanSocket(unreachable)).toEqual({
      id: "podman-socket",
      title: "Podman API socket",
      status: "fail",
      detail: "Podman is not installed",
      fix: "apt-get install -y podman",
    });
  });

  it("warns when CONTAINER_HOST was set but passed over", () => {
    const check = verdictPodmanSocket({
      ...rootful,
      skipped: [
        { source: "CONTAINER_HOST", error: "ssh:// … not supported yet" },
        { source: "system", socketPath: "/run/podman/podman.sock", error: "no socket there" },
      ],
    });
    expect(check).toMatchObject({ status: "warn", fix: /unset CONTAINER_HOST/ });
    expect(check.detail).not.toContain("/run/podman/podman.sock");
  });
});

describe("verdictPodmanMode", () => {
  it("reports rootless and rootful, and warns on a non-root panel using rootful Podman", () => {
    expect(verdictPodmanMode({ ...rootful, rootless: true }, 1000)).toMatchObject({
      status: "ok",
      detail: /Rootless/,
    });
    expect(verdictPodmanMode(rootful, 0)).toMatchObject({ status: "ok", detail: /userns=auto/ });
    expect(verdictPodmanMode(rootful, 1000)).toMatchObject({ status: "warn", fix: /unset CONTAINER_HOST/ });
    expect(verdictPodmanMode(unreachable, 0)).toMatchObject({ status: "warn" });
  });
});

describe("verdictCgroups", () => {
  it("v1 rootful is fine; v1 rootless warns that limits are ignored", () => {
    expect(verdictCgroups({ layout: "v1-hybrid", rootless: false }, rootful)).toMatchObject({
      status: "ok",
      detail: /v1 \(hybrid\).*enforced/,
    });
    expect(verdictCgroups({ layout: "v1-hybrid", rootless: true }, rootful)).toMatchObject({
      status: "warn",
      detail: /silently ignored/,
      fix: /systemd.unified_cgroup_hierarchy=1/,
    });
  });

  it("v2 rootless checks the delegated controllers", () => {
    const delegated = {
      ...rootful,
      rootless: true,
      cgroupVersion: "v2",
      cgroupControllers: ["cpu", "memory", "pids"],
    };
    expect(verdictCgroups({ layout: "v2", rootless: true }, delegated)).toMatchObject({ status: "ok" });
    const partial = { ...delegated, cgroupControllers: ["memory", "pids"] };
    expect(verdictCgroups({ layout: "v2", rootless: true }, partial)).toMatchObject({
      status: "warn",
      detail: /cpu is not delegated/,
      fix: /Delegate=cpu cpuset io memory pids/,
    });
    expect(verdictCgroups({ layout: "v2", rootless: true }, unreachable)).toMatchObject({ status: "warn" });
    expect(verdictCgroups({ layout: "v2", rootless: false }, rootful)).toMatchObject({ status: "ok" });
  });

  it("warns on an unknown layout", () => {
    expect(verdictCgroups({ layout: "unknown", rootless: false }, rootful)).toMatchObject({ status: "warn" });
  });
});

describe("verdictOciRuntime", () => {
  it("requires runc on cgroups v1", () => {
    expect(verdictOciRuntime("v1-hybrid", rootful)).toMatchObject({ status: "ok", detail: /runc/ });
    expect(verdictOciRuntime("v1-hybrid", { ...rootful, ociRuntime: "crun" })).toMatchObject({
      status: "fail",
      fix: /apt-get install -y runc/,
    });
    expect(verdictOciRuntime("v2", { ...rootful, ociRuntime: "crun" })).toMatchObject({ status: "ok" });
    expect(verdictOciRuntime("v2", unreachable)).toMatchObject({ status: "warn" });
  });
});

describe("verdictHostWorkaround", () => {
  it("is ok when not needed or active", () => {
    expect(verdictHostWorkaround(unreachable)).toMatchObject({ status: "ok", detail: /Not needed/ });
    expect(verdictHostWorkaround(rootful)).toMatchObject({ status: "ok", detail: /Active \(\/c\)/ });
  });

  it("warns when the service in use was not started with it, with the command that fixes it", () => {
    const external: PodmanStatus = {
      ...rootful,
      source: "system",
      socketPath: "/run/podman/podman.sock",
      workaround: { ...rootful.workaround, active: false, note: "not started by claw" },
    };
    expect(verdictHostWorkaround(external)).toMatchObject({
      status: "warn",
      fix: "Stop the service at /run/podman/podman.sock so claw starts its own, or restart it as CONTAINERS_CONF=/c podman system service --time=0 unix:///run/podman/podman.sock",
    });
  });

  it("warns when needed but nothing is reachable yet", () => {
    const down: PodmanStatus = { ...unreachable, workaround: { ...rootful.workaround, active: false } };
    expect(verdictHostWorkaround(down)).toMatchObject({ status: "warn", detail: /not in use yet/ });
  });
});

describe("verdictSubIds", () => {
  const empty = { subuid: [], subgid: [] };

  it("rootful needs a containers range in both files", () => {
    expect(verdictSubIds({ rootless: false, user: { name: "root", uid: 0 }, ...empty })).toMatchObject({
      status: "fail",
      detail: /\/etc\/subuid and \/etc\/subgid/,
      fix: "echo containers:2147483647:2147483648 | tee -a /etc/subuid /etc/subgid",
    });
    const onlyUid = parseSubIdFile("containers:2147483647:2147483648");
    expect(verdictSubIds({ rootless: false, user: { uid: 0 }, subuid: onlyUid, subgid: [] })).toMatchObject({
      status: "fail",
      fix: "echo containers:2147483647:2147483648 | tee -a /etc/subgid",
    });
    expect(
      verdictSubIds({ rootless: false, user: { uid: 0 }, subuid: onlyUid, subgid: onlyUid }),
    ).toMatchObject({
      status: "ok",
    });
    const small = parseSubIdFile("containers:100000:1000");
    expect(verdictSubIds({ rootless: false, user: { uid: 0 }, subuid: small, subgid: small })).toMatchObject({
      status: "warn",
    });
  });

  it("rootless needs the user's own entries", () => {
    const alice = parseSubIdFile("alice:100000:65536");
    expect(
      verdictSubIds({ rootless: true, user: { name: "alice", uid: 1000 }, subuid: alice, subgid: alice }),
    ).toMatchObject({
      status: "ok",
    });
    expect(
      verdictSubIds({ rootless: true, user: { name: "bob", uid: 1001 }, subuid: alice, subgid: alice }),
    ).toMatchObject({
      status: "fail",
      fix: /usermod --add-subuids 100000-165535 --add-subgids 100000-165535 bob/,
    });
    // A containers range does not help a rootless user.
    const containers = parseSubIdFile("containers:2147483647:2147483648");
    expect(
      verdictSubIds({
        rootless: true,
        user: { name: "bob", uid: 1001 },
        subuid: containers,
        subgid: containers,
      }),
    ).toMatchObject({ status: "fail" });
  });
});

describe("verdictClawHome, verdictPanelSocket and verdictHostKey", () => {
  const home = {
    path: "/home/alice/.claw",
    exists: true,
    isDirectory: true,
    mode: 0o700,
    ownerUid: 1000,
    uid: 1000,
  };

  it("wants a 0700 folder owned by the user", () => {
    expect(verdictClawHome(home)).toMatchObject({ status: "ok" });
    expect(verdictClawHome({ ...home, mode: 0o755 })).toMatchObject({
      status: "fail",
      detail: /mode 0755/,
      fix: "chmod 700 /home/alice/.claw",
    });
    expect(verdictClawHome({ ...home, ownerUid: 0, userName: "alice" })).toMatchObject({
      status: "fail",
      fix: /chown alice \/home\/alice\/.claw/,
    });
    expect(verdictClawHome({ ...home, exists: false })).toMatchObject({
      status: "fail",
      fix: "mkdir -p -m 700 /home/alice/.claw",
    });
    expect(verdictClawHome({ ...home, isDirectory: false })).toMatchObject({ status: "fail" });
  });

  it("wants a 0600 panel socket and key", () => {
    const token = { ...home, path: "/home/alice/.claw/run/panel.sock", isDirectory: false, mode: 0o600 };
    expect(verdictPanelSocket(token)).toMatchObject({ status: "ok" });
    expect(verdictPanelSocket({ ...token, exists: false })).toMatchObject({
      status: "ok",
      detail: /Not there/,
    });
    const key = { ...token, path: "/home/alice/.claw/keys/host-ed25519.key" };
    expect(verdictHostKey(key)).toMatchObject({ id: "host-key", status: "ok" });
    expect(verdictHostKey({ ...key, mode: 0o640 })).toMatchObject({
      status: "fail",
      fix: "chmod 600 /home/alice/.claw/keys/host-ed25519.key",
    });
    expect(verdictPanelSocket({ ...token, mode: 0o644 })).toMatchObject({
      status: "fail",
      fix: "chmod 600 /home/alice/.claw/run/panel.sock",
    });
  });
});

describe("shellQuote", () => {
  it("quotes only what needs it", () => {
    expect(shellQuote("/home/a/.claw")).toBe("/home/a/.claw");
    expect(shellQuote("/tmp/my claw")).toBe("'/tmp/my claw'");
    expect(shellQuote("/tmp/it's")).toBe("'/tmp/it'\\''s'");
  });
});
