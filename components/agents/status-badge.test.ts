import { describe, expect, it } from "vitest";
import type { AgentLive, AgentModel } from "./agent-types";
import { modelFixHref, modelReady, statusOf } from "./status-badge";

const live = (state: string, extra: Partial<AgentLive> = {}) => ({ state, ...extra }) as AgentLive;

const routed: AgentModel = {
  route: "anthropic/claude-sonnet-4-6 at api.anthropic.com",
  missingSecret: null,
  fix: null,
};
const noKey: AgentModel = {
  route: "anthropic/claude-sonnet-4-6 at api.anthropic.com",
  missingSecret: "anthropic-api-key",
  fix: "Set the secret anthropic-api-key in Settings → Secrets, or `claw secrets set anthropic-api-key`.",
};
const noRoute: AgentModel = { route: null, missingSecret: null, fix: "create it again" };

describe("statusOf", () => {
  it("tells a running Gateway that answers from one still starting", () => {
    expect(statusOf(live("running", { ready: true }))).toEqual({ label: "ready", tone: "ok" });
    expect(statusOf(live("running", { ready: false }))).toEqual({ label: "starting…", tone: "warn" });
  });

  it("warns of a ready agent whose model requests would fail: a secret missing or no route", () => {
    const ready = live("running", { ready: true });
    expect(statusOf(ready, routed)).toEqual({ label: "ready", tone: "ok" });
    expect(statusOf(ready, noKey)).toEqual({ label: "ready — no model", tone: "warn" });
    expect(statusOf(ready, noRoute)).toEqual({ label: "ready — no model", tone: "warn" });
  });

  it("says only the container's state when it is not ready, model or not", () => {
    expect(statusOf(live("running", { ready: false }), noKey)).toEqual({ label: "starting…", tone: "warn" });
    expect(statusOf(live("stopped"), noKey)).toEqual({ label: "stopped", tone: "neutral" });
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

describe("modelReady", () => {
  it("needs a route and its secret", () => {
    expect(modelReady(routed)).toBe(true);
    expect(modelReady(noKey)).toBe(false);
    expect(modelReady(noRoute)).toBe(false);
  });

  it("warns of nothing before the readiness is known", () => {
    expect(modelReady(undefined)).toBe(true);
    expect(modelReady(null)).toBe(true);
  });
});

describe("modelFixHref", () => {
  it("links to Settings with the missing secret filled in", () => {
    expect(modelFixHref(noKey)).toBe("/settings?set=anthropic-api-key#secrets");
  });

  it("has no link when no secret would fix it", () => {
    expect(modelFixHref(routed)).toBeUndefined();
    expect(modelFixHref(noRoute)).toBeUndefined();
    expect(modelFixHref(undefined)).toBeUndefined();
  });
});
