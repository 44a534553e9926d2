import { describe, expect, it } from "vitest";
import type { AgentLive } from "./agent-types";
import { statusOf } from "./status-badge";

const live = (state: string, extra: Partial<AgentLive> = {}) => ({ state, ...extra }) as AgentLive;

describe("statusOf", () => {
  it("tells a running Gateway that answers from one still starting", () => {
    expect(statusOf(live("running", { ready: true }))).toEqual({ label: "ready", tone: "ok" });
    expect(statusOf(live("running", { ready: false }))).toEqual({ label: "starting…", tone: "warn" });
  });

  it("gives the exit code of an exited container when Podman knows it", () => {
    expect(statusOf(live("exited", { exitCode: 137 }))).toEqual({ label: "exited 137", tone: "fail" });
    expect(statusOf(live("exited", { exitCode: null }))).toEqual({ label: "exited", tone: "fail" });
  });

  it("says checking before the first status and shows other states by name", () => {
    expect(statusOf(null)).toEqual({ label: "checking…", tone: "neutral" });
    expect(statusOf(live("stopped"))).toEqual({ label: "stopped", tone: "neutral" });
  });
});
