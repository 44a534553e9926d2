import { describe, expect, it } from "vitest";
import { decideEgress, parseResolveOverrides, parseTarget } from "./egress-proxy";
import { isPrivateAddress, matchRule, parseRules } from "./egress-rules";

const rules = parseRules([
  "api.anthropic.com",
  "*.githubusercontent.com",
  "registry.test:8443",
  "203.0.113.7",
]);

describe("egress allowlist", () => {
  it.each([
    ["api.anthropic.com", 443, "api.anthropic.com"],
    ["API.Anthropic.com.", 80, "api.anthropic.com"],
    ["raw.githubusercontent.com", 443, "*.githubusercontent.com"],
    ["a.b.githubusercontent.com", 443, "*.githubusercontent.com"],
    ["registry.test", 8443, "registry.test:8443"],
    ["203.0.113.7", 443, "203.0.113.7"],
  ])("allows %s:%i by %s", (host, port, rule) => {
    expect(matchRule(rules, host, port)?.text).toBe(rule);
  });

  it.each([
    ["api.anthropic.com", 22],
    ["githubusercontent.com", 443], // *.suffix is not the suffix itself
    ["evilgithubusercontent.com", 443],
    ["api.anthropic.com.evil.test", 443],
    ["registry.test", 443],
    ["203.0.113.8", 443],
    ["1.1.1.1", 443],
    ["", 443],
  ])("refuses %s:%i", (host, port) => {
    expect(matchRule(rules, host, port)).toBeUndefined();
  });

  it.each([
    ["127.0.0.1", true],
    ["10.1.2.3", true],
    ["172.20.0.1", true],
    ["192.168.1.1", true],
    ["169.254.169.254", true],
    ["100.64.0.1", true],
    ["::1", true],
    ["fe80::1", true],
    ["fd00::1", true],
    ["::ffff:10.0.0.1", true],
    ["not-an-ip", true],
    ["8.8.8.8", false],
    ["172.32.0.1", false],
    ["2606:4700::1111", false],
  ])("%s is private: %s", (ip, expected) => {
    expect(isPrivateAddress(ip)).toBe(expected);
  });

  it("reads CONNECT targets and absolute URLs", () => {
    expect(parseTarget("example.com:443", 443)).toEqual({ host: "example.com", port: 443 });
    expect(parseTarget("http://example.com/x", 80)).toEqual({ host: "example.com", port: 80 });
    expect(parseTarget("https://example.com/x", 80)).toEqual({ host: "example.com", port: 443 });
    expect(parseTarget("[::1]:8080", 443)).toEqual({ host: "::1", port: 8080 });
    expect(parseTarget("example.com:99999", 443)).toBeUndefined();
  });
});

describe("egress decisions", () => {
  const resolveTo =
    (address: string, trusted = false) =>
    async () => [{ address, trusted }];

  it("allows a listed name that resolves to a public address, naming the rule", async () => {
    expect(await decideEgress(rules, resolveTo("104.18.0.1"), "api.anthropic.com", 443)).toEqual({
      allowed: true,
      rule: "api.anthropic.com",
      address: "104.18.0.1",
    });
  });

  it("refuses a listed name that resolves to this machine or a private network (DNS rebinding)", async () => {
    const decision = await decideEgress(rules, resolveTo("127.0.0.1"), "api.anthropic.com", 443);
    expect(decision).toEqual({
      allowed: false,
      reason: "api.anthropic.com resolves to an address of this machine or a private network",
    });
  });

  it("trusts names the operator mapped by hand, and says why it refuses the rest", async () => {
    expect(await decideEgress(rules, resolveTo("127.0.0.1", true), "api.anthropic.com", 443)).toMatchObject({
      allowed: true,
    });
    expect(await decideEgress(rules, resolveTo("8.8.8.8"), "example.com", 443)).toEqual({
      allowed: false,
      reason: "example.com:443 is not in this agent's allowlist",
    });
    const failing = async () => {
      throw new Error("ENOTFOUND");
    };
    expect(await decideEgress(rules, failing, "api.anthropic.com", 443)).toEqual({
      allowed: false,
      reason: "api.anthropic.com does not resolve",
    });
    expect(parseResolveOverrides("a.test=127.0.0.1, B.test.=10.0.0.2,bad=x")).toEqual(
      new Map([
        ["a.test", "127.0.0.1"],
        ["b.test", "10.0.0.2"],
      ]),
    );
  });
});
