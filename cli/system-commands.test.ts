import { describe, expect, it } from "vitest";
import type { RouterOutputs } from "./command";
import { formatDoctor, formatStatus } from "./system-commands";

type Status = RouterOutputs["system"]["status"];

const panel: Status["panel"] = {
  version: "0.1.0",
  startedAt: "2026-05-01T12:00:00.000Z",
  uptimeSeconds: 42,
  url: "http://127.0.0.1:7878",
  home: "/var/lib/claw",
  pid: 123,
};
const noWorkaround = { needed: false, active: false, reasons: [] };

describe("formatDoctor", () => {
  it("lines the titles up and puts a fix under its check", () => {
    const text = formatDoctor([
      { id: "podman", title: "Podman", status: "ok", detail: "4.3.1" },
      {
        id: "subuid",
        title: "containers subuid",
        status: "fail",
        detail: "missing",
        fix: "npm start adds it",
      },
      { id: "cgroups", title: "cgroups", status: "warn", detail: "v1: limits ignored rootless" },
    ]);
    expect(text.split("\n")).toEqual([
      " ok   Podman             4.3.1",
      "FAIL  containers subuid  missing",
      "                         fix: npm start adds it",
      "WARN  cgroups            v1: limits ignored rootless",
    ]);
  });
});

describe("formatStatus", () => {
  it("says why Podman is not reachable, and how to fix it", () => {
    const status: Status = {
      panel,
      podman: {
        reachable: false,
        error: { message: "no socket at /run/podman/podman.sock", fix: "podman system service" },
        workaround: noWorkaround,
      },
    };
    expect(formatStatus(status).split("\n")).toEqual([
      "Panel   running  v0.1.0  http://127.0.0.1:7878  up 42 s",
      "        state: /var/lib/claw",
      "Podman  NOT REACHABLE  no socket at /run/podman/podman.sock",
      "        fix: podman system service",
    ]);
  });

  it("shows a connected Podman's mode, socket, containers and the host workaround", () => {
    const status: Status = {
      panel,
      podman: {
        reachable: true,
        version: "4.3.1",
        rootless: false,
        cgroupVersion: "v1",
        ociRuntime: "runc",
        socketPath: "/run/claw/podman.sock",
        source: "panel",
        containers: { running: 1, total: 3 },
        workaround: { needed: true, active: true, reasons: ["hybrid cgroups", "rlimits"] },
      },
    };
    expect(formatStatus(status).split("\n").slice(2)).toEqual([
      "Podman  connected  4.3.1  rootful  cgroups v1  runc",
      "        socket: /run/claw/podman.sock (panel)",
      "        containers: 1 running of 3",
      "        host workaround: active (hybrid cgroups; rlimits)",
    ]);
  });

  it("marks what Podman did not say with ?, and leaves out the mode and counts it did not give", () => {
    const status: Status = { panel, podman: { reachable: true, workaround: noWorkaround } };
    expect(formatStatus(status).split("\n").slice(2)).toEqual([
      "Podman  connected  ?  cgroups ?  ?",
      "        socket: ? (?)",
      "        host workaround: not needed",
    ]);
  });
});
