import { describe, expect, it } from "vitest";
import { decideEgress, parseResolveOverrides, parseTarget, usableAddress } from "./egress-proxy";
import {
  canonicalIp,
  hostAddresses,
  ipv6Groups,
  isHostAddress,
  isPrivateAddress,
  matchRule,
  parseRules,
} from "./egress-rules";

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
    // IPv4-mapped, in both spellings (URL parsing turns the dotted one into hex).
    ["::ffff:127.0.0.1", true],
    ["::ffff:7f00:1", true],
    ["::ffff:a9fe:a9fe", true],
    ["::ffff:8.8.8.8", false],
    ["::ffff:808:808", false],
    // IPv4-compatible (::/96), whatever the IPv4 inside: the proxy cannot see where it goes.
    ["::", true],
    ["::127.0.0.1", true],
    ["::8.8.8.8", true],
    ["::808:808", true],
    ["::ffff:0:808:808", true],
    // NAT64 (well-known and local-use prefixes) reaches any IPv4 address through a translator.
    ["64:ff9b::8.8.8.8", true],
    ["64:ff9b::7f00:1", true],
    ["64:ff9b:1::a00:1", true],
    ["64:ff9b:1:ffff::1", true],
    ["64:ff9b:2::1", false],
    // 6to4 is judged by the IPv4 inside; Teredo, documentation, discard and site-local are refused.
    ["2002:7f00:1::1", true],
    ["2002:808:808::1", false],
    ["2001:0:4136:e378::1", true],
    ["2001:db8::1", true],
    ["100::1", true],
    ["fec0::1", true],
    ["FE80::1%eth0", true],
    ["ff02::1", true],
    ["8.8.8.8", false],
    ["172.32.0.1", false],
    ["2606:4700::1111", false],
    ["2a00:1450:4001:80b::200e", false],
  ])("%s is private: %s", (ip, expected) => {
    expect(isPrivateAddress(ip)).toBe(expected);
  });

  it("spells an address one way, whatever way it was written", () => {
    expect(ipv6Groups("::1")).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(ipv6Groups("1:2:3:4:5:6:1.2.3.4")).toEqual([1, 2, 3, 4, 5, 6, 0x102, 0x304]);
    expect(ipv6Groups("10.0.0.1")).toBeUndefined();
    expect(canonicalIp("2001:DB8:0:0::0:1")).toBe("2001:db8:0:0:0:0:0:1");
    expect(canonicalIp("::ffff:c000:0201")).toBe("192.0.2.1");
    expect(canonicalIp("::ffff:192.0.2.1")).toBe("192.0.2.1");
    expect(canonicalIp("nope")).toBeUndefined();
  });

  it("knows this host's own addresses in any spelling, whatever their range", () => {
    const own = hostAddresses({
      lo: [{ address: "127.0.0.1" }, { address: "::1" }],
      eth0: [{ address: "203.0.113.9" }, { address: "2a01:4f8:0:0::5" }],
      down: undefined,
    });
    expect(isHostAddress("203.0.113.9", own)).toBe(true);
    expect(isHostAddress("::ffff:203.0.113.9", own)).toBe(true);
    expect(isHostAddress("::ffff:cb00:7109", own)).toBe(true);
    expect(isHostAddress("2a01:4f8::5", own)).toBe(true);
    expect(isHostAddress("203.0.113.10", own)).toBe(false);
    expect(isHostAddress("2a01:4f8::6", own)).toBe(false);
    expect(isHostAddress("garbage", own)).toBe(false);
  });

  it("reads CONNECT targets and absolute URLs", () => {
    expect(parseTarget("example.com:443", 443)).toEqual({ host: "example.com", port: 443 });
    expect(parseTarget("http://example.com/x", 80)).toEqual({ host: "example.com", port: 80 });
    expect(parseTarget("https://example.com/x", 80)).toEqual({ host: "example.com", port: 443 });
    expect(parseTarget("[::1]:8080", 443)).toEqual({ host: "::1", port: 8080 });
    expect(parseTarget("example.com:99999", 443)).toBeUndefined();
  });
});

describe("plain-HTTP rules", () => {
  const http = parseRules([
    "GET http://downloads.example.org/pub/*",
    "* http://mirror.test:8080/debian/*",
    "POST http://api.example.net/v1/submit",
    "GET http://*.cdn.test/*.tar.gz",
    "GET http://search.test/find?q=*",
  ]);

  it("reads method, host, port and path pattern", () => {
    expect(
      http.map(({ host, wildcard, ports, http: rule }) => ({ host, wildcard, ports, method: rule?.method })),
    ).toEqual([
      { host: "downloads.example.org", wildcard: false, ports: [80], method: "GET" },
      { host: "mirror.test", wildcard: false, ports: [8080], method: "*" },
      { host: "api.example.net", wildcard: false, ports: [80], method: "POST" },
      { host: "cdn.test", wildcard: true, ports: [80], method: "GET" },
      { host: "search.test", wildcard: false, ports: [80], method: "GET" },
    ]);
    // A host rule has no method or path: it is host:port only.
    expect(parseRules(["example.org"])[0]?.http).toBeUndefined();
  });

  it.each([
    ["downloads.example.org", 80, "GET", "/pub/x.iso", "GET http://downloads.example.org/pub/*"],
    ["downloads.example.org", 80, "get", "/pub/", "GET http://downloads.example.org/pub/*"],
    ["downloads.example.org", 80, "GET", "/pub/a/b?x=1&y=2", "GET http://downloads.example.org/pub/*"],
    ["mirror.test", 8080, "PUT", "/debian/pool/a.deb", "* http://mirror.test:8080/debian/*"],
    ["mirror.test", 8080, "DELETE", "/debian/", "* http://mirror.test:8080/debian/*"],
    ["api.example.net", 80, "POST", "/v1/submit", "POST http://api.example.net/v1/submit"],
    ["a.cdn.test", 80, "GET", "/x/y.tar.gz", "GET http://*.cdn.test/*.tar.gz"],
    // The query is not part of the path a rule without `?` names.
    ["api.example.net", 80, "POST", "/v1/submit?debug=1", "POST http://api.example.net/v1/submit"],
    ["a.cdn.test", 80, "GET", "/x/y.tar.gz?v=2", "GET http://*.cdn.test/*.tar.gz"],
    [
      "downloads.example.org",
      80,
      "GET",
      "/pub/a?next=%2e%2e%2fprivate",
      "GET http://downloads.example.org/pub/*",
    ],
    // A rule with `?` names the query too.
    ["search.test", 80, "GET", "/find?q=cats", "GET http://search.test/find?q=*"],
    ["downloads.example.org", 80, "GET", "/pub/v1.2/a..b", "GET http://downloads.example.org/pub/*"],
  ])("lets %s:%i %s %s through by %s", (host, port, method, path, rule) => {
    expect(matchRule(http, host, port, { method, path })?.text).toBe(rule);
  });

  it.each([
    ["another method", "downloads.example.org", 80, "POST", "/pub/x.iso"],
    ["a path outside the pattern", "downloads.example.org", 80, "GET", "/private/pub/x"],
    ["the pattern's prefix without its slash", "downloads.example.org", 80, "GET", "/pub"],
    ["a path whose query only looks like the suffix", "a.cdn.test", 80, "GET", "/private?x.tar.gz"],
    ["a query rule's path without its query", "search.test", 80, "GET", "/find"],
    ["a query rule's path with another query", "search.test", 80, "GET", "/find?page=2"],
    ["a query rule's path followed by more path", "search.test", 80, "GET", "/find/x?q=cats"],
    ["an exact path with more after it", "api.example.net", 80, "POST", "/v1/submit/2"],
    ["another port", "downloads.example.org", 8080, "GET", "/pub/x"],
    ["port 443", "downloads.example.org", 443, "GET", "/pub/x"],
    ["the default port when the rule names one", "mirror.test", 80, "GET", "/debian/x"],
    ["a suffix pattern's bare domain", "cdn.test", 80, "GET", "/x.tar.gz"],
    ["a path that only contains the suffix", "a.cdn.test", 80, "GET", "/x.tar.gz.sig"],
    ["another host", "evil.example.org", 80, "GET", "/pub/x"],
  ])("refuses %s", (_why, host, port, method, path) => {
    expect(matchRule(http, host, port, { method, path })).toBeUndefined();
  });

  it.each([
    "/pub/%2e%2e/private",
    "/pub/%2E%2E/private",
    "/pub/.%2e/private",
    "/pub/%2e/x",
    "/pub/..%2fprivate",
    "/pub/..%2Fprivate",
    "/pub/..%5cprivate",
    "/pub/..%5Cprivate",
    "/pub/..\\private",
    "/pub/../private",
    "/pub/./x",
    "/pub/a/..",
    "/pub/..;/private",
    "/pub/x%2Fy",
  ])("refuses %s: it could name a path outside the pattern", (path) => {
    expect(matchRule(http, "downloads.example.org", 80, { method: "GET", path })).toBeUndefined();
    expect(
      matchRule(http, "mirror.test", 8080, { method: "GET", path: `/debian${path.slice(4)}` }),
    ).toBeUndefined();
  });

  it("refuses an encoded or dot segment in a query rule's path, not in its query", () => {
    expect(matchRule(http, "search.test", 80, { method: "GET", path: "/%2e/find?q=x" })).toBeUndefined();
    expect(matchRule(http, "search.test", 80, { method: "GET", path: "/find?q=%2e%2e%2f" })?.text).toBe(
      "GET http://search.test/find?q=*",
    );
  });

  it("never lets a CONNECT tunnel through, whatever the port", () => {
    for (const port of [80, 443, 8080]) {
      expect(matchRule(http, "downloads.example.org", port)).toBeUndefined();
      expect(matchRule(http, "mirror.test", port)).toBeUndefined();
      expect(
        matchRule(http, "downloads.example.org", port, { method: "CONNECT", path: "/pub/x" }),
      ).toBeUndefined();
    }
    // A method wildcard is not a CONNECT either: the proxy passes no request line for a tunnel.
    expect(matchRule(http, "mirror.test", 8080, { method: "GET", path: "/debian/x" })).toBeDefined();
  });
});

describe("egress decisions", () => {
  const resolveTo =
    (address: string, trusted = false) =>
    async () => [{ address, trusted }];

  it("allows a listed name that resolves to a public address, naming the rule", async () => {
    expect(
      await decideEgress(rules, resolveTo("104.18.0.1"), { host: "api.anthropic.com", port: 443 }),
    ).toEqual({
      allowed: true,
      rule: "api.anthropic.com",
      address: "104.18.0.1",
    });
  });

  it("refuses a name that resolves to one of this host's own public addresses", async () => {
    const own = hostAddresses({ eth0: [{ address: "104.18.0.1" }] });
    expect(
      await decideEgress(rules, resolveTo("104.18.0.1"), { host: "api.anthropic.com", port: 443 }, own),
    ).toEqual({
      allowed: false,
      reason: "api.anthropic.com resolves to an address of this machine or a private network",
    });
    expect(
      await decideEgress(rules, resolveTo("::ffff:6812:1"), { host: "api.anthropic.com", port: 443 }, own),
    ).toMatchObject({
      allowed: false,
    });
    expect(
      await decideEgress(rules, resolveTo("64:ff9b::6812:1"), { host: "api.anthropic.com", port: 443 }),
    ).toMatchObject({
      allowed: false,
    });
  });

  it("refuses a listed name that resolves to this machine or a private network (DNS rebinding)", async () => {
    const decision = await decideEgress(rules, resolveTo("127.0.0.1"), {
      host: "api.anthropic.com",
      port: 443,
    });
    expect(decision).toEqual({
      allowed: false,
      reason: "api.anthropic.com resolves to an address of this machine or a private network",
    });
  });

  it("trusts names the operator mapped by hand, and says why it refuses the rest", async () => {
    expect(
      await decideEgress(rules, resolveTo("127.0.0.1", true), { host: "api.anthropic.com", port: 443 }),
    ).toMatchObject({
      allowed: true,
    });
    expect(await decideEgress(rules, resolveTo("8.8.8.8"), { host: "example.com", port: 443 })).toEqual({
      allowed: false,
      reason: "example.com:443 is not in this agent's allowlist",
    });
    const failing = async () => {
      throw new Error("ENOTFOUND");
    };
    expect(await decideEgress(rules, failing, { host: "api.anthropic.com", port: 443 })).toEqual({
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

  it("in ask or learn mode passes a host off the list on without resolving it, unless it names this machine", async () => {
    const lookups: string[] = [];
    const watching = async (name: string) => {
      lookups.push(name);
      return [{ address: "8.8.8.8", trusted: false }];
    };
    const own = hostAddresses({ eth0: [{ address: "198.51.100.9" }] });
    expect(
      await decideEgress(rules, watching, { host: "data.attacker.example", port: 443 }, own, true),
    ).toEqual({
      allowed: false,
      reason: "data.attacker.example:443 is not in this agent's allowlist",
      unlisted: true,
    });
    // Asking must not leak the name: nothing is resolved before a person (or learn mode) allows it.
    expect(lookups).toEqual([]);
    for (const host of [
      "localhost",
      "intranet",
      "printer.local",
      "db.internal",
      "10.1.2.3",
      "198.51.100.9",
      "::1",
    ])
      expect(await decideEgress(rules, watching, { host, port: 443 }, own, true)).toEqual({
        allowed: false,
        reason: `${host}:443 is not in this agent's allowlist, and it names this machine or a private network (never asked about)`,
      });
    expect(await decideEgress(rules, watching, { host: "8.8.4.4", port: 443 }, own, true)).toMatchObject({
      unlisted: true,
    });
    expect(lookups).toEqual([]);
  });

  it("resolves a host a person allowed, and still refuses it on a private address", async () => {
    const own = hostAddresses({ eth0: [{ address: "198.51.100.9" }] });
    expect(await usableAddress(resolveTo("93.184.216.34"), "ok.example", own, false)).toEqual({
      address: "93.184.216.34",
    });
    for (const address of ["10.0.0.5", "198.51.100.9", "fe80::1"])
      expect(await usableAddress(resolveTo(address), "sneaky.example", own, false)).toEqual({
        reason: "sneaky.example resolves to an address of this machine or a private network",
      });
    expect(await usableAddress(resolveTo("127.0.0.1", true), "mapped.test", own, false)).toEqual({
      address: "127.0.0.1",
    });
  });
});
