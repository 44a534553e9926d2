import { describe, expect, it } from "vitest";
import { deleteConsequence, secretState, setSecretHref, setSecretParam, usedByText } from "./secret-types";

describe("usedByText", () => {
  it("names one user, or joins several with a last 'and'", () => {
    expect(usedByText(["agent coder"])).toBe("agent coder");
    expect(usedByText(["agent coder", "Claude Code jobs"])).toBe("agent coder and Claude Code jobs");
    expect(usedByText(["agent a", "agent b", "Claude Code jobs"])).toBe(
      "agent a, agent b and Claude Code jobs",
    );
  });

  it("is null when nothing uses the secret", () => {
    expect(usedByText([])).toBeNull();
  });
});

describe("deleteConsequence", () => {
  it("says nothing breaks for an unused secret", () => {
    expect(deleteConsequence({ name: "old-token", usedBy: [] })).toBe("Nothing uses old-token now.");
  });

  it("names who loses it, with the verb agreeing", () => {
    expect(deleteConsequence({ name: "k", usedBy: ["agent coder"] })).toMatch(/^agent coder uses it: /);
    expect(deleteConsequence({ name: "k", usedBy: ["agent a", "agent b"] })).toMatch(
      /^agent a and agent b use it: /,
    );
  });
});

describe("setSecretHref", () => {
  it("opens Settings with the name as a parameter, encoded", () => {
    const href = setSecretHref("anthropic-api-key");
    expect(href).toBe("/settings?set=anthropic-api-key#secrets");
    const url = new URL(setSecretHref("a&b c"), "http://panel.invalid");
    expect(url.pathname).toBe("/settings");
    expect(url.searchParams.get(setSecretParam)).toBe("a&b c");
  });
});

describe("secretState", () => {
  it("reads set, or not set: a warning only when something needs it", () => {
    expect(secretState({ set: true, usedBy: [] })).toEqual({ label: "set", tone: "ok" });
    expect(secretState({ set: false, usedBy: [] })).toEqual({ label: "not set", tone: "neutral" });
    expect(secretState({ set: false, usedBy: ["agent coder"] })).toEqual({ label: "not set", tone: "warn" });
  });
});
