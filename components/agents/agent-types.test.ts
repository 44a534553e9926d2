import { describe, expect, it } from "vitest";
import { type AgentLive, actionsFor, shortImage } from "./agent-types";

const live = (state: string, extra: Partial<AgentLive> = {}) => ({ state, ...extra }) as AgentLive;

describe("actionsFor", () => {
  it("offers start only for an agent without a known container state", () => {
    expect(actionsFor(null)).toEqual({ start: true, stop: false, restart: false });
    expect(actionsFor(live("exited"))).toEqual({ start: true, stop: false, restart: false });
    expect(actionsFor(live("missing"))).toEqual({ start: true, stop: false, restart: false });
  });

  it("offers stop and restart while running, stop only while paused", () => {
    expect(actionsFor(live("running"))).toEqual({ start: false, stop: true, restart: true });
    expect(actionsFor(live("paused"))).toEqual({ start: false, stop: true, restart: false });
  });

  it("offers start and stop when Podman could not say, and lets Podman decide", () => {
    expect(actionsFor(live("unknown"))).toEqual({ start: true, stop: true, restart: false });
  });
});

describe("shortImage", () => {
  it("drops only a leading localhost/ registry", () => {
    expect(shortImage("localhost/claw-openclaw-agent:latest")).toBe("claw-openclaw-agent:latest");
    expect(shortImage("docker.io/library/node:24")).toBe("docker.io/library/node:24");
    expect(shortImage("example.com/localhost/x:1")).toBe("example.com/localhost/x:1");
  });
});
