import { describe, expect, it } from "vitest";
import {
  type EgressEvent,
  isPublicSuffixWildcard,
  proposeAllowlist,
  registrableDomain,
} from "./propose-allowlist";

const now = new Date("2026-12-08T12:00:00Z");
const minutesAgo = (minutes: number) => new Date(now.getTime() - minutes * 60_000).toISOString();

/** One connection `learn` mode let through, as the proxy records it. */
const learned = (host: string, port = 443, address = "93.184.216.34", minutes = 5): EgressEvent => ({
  time: minutesAgo(minutes),
  action: "egress_allowed",
  details: { host, port, method: "CONNECT", rule: "learn mode", address, bytesUp: 1, bytesDown: 2 },
});

/** One connection denied for being off the list (deny mode, or ask mode with no answer). */
const denied = (host: string, port = 443, minutes = 5, reason?: string): EgressEvent => ({
  time: minutesAgo(minutes),
  action: "egress_denied",
  details: {
    host,
    port,
    method: "CONNECT",
    reason: reason ?? `${host}:${port} is not in this agent's allowlist`,
  },
});

const propose = (events: EgressEvent[], currentAllow: string[] = [], hours = 24) =>
  proposeAllowlist({ events, currentAllow, hours, now });
const entries = (events: EgressEvent[], currentAllow: string[] = []) =>
  propose(events, currentAllow).add.map((entry) => entry.entry);

describe("registrableDomain", () => {
  it("is the name registered under a known public suffix", () => {
    expect(registrableDomain("api.example.com")).toBe("example.com");
    expect(registrableDomain("a.b.example.co.uk")).toBe("example.co.uk");
    expect(registrableDomain("me.github.io")).toBe("me.github.io");
    expect(registrableDomain("x.me.github.io")).toBe("me.github.io");
  });

  it("is unknown for a suffix it cannot judge", () => {
    expect(registrableDomain("a.corp.internal")).toBeUndefined();
    expect(registrableDomain("shop.example.com.zz")).toBeUndefined();
    // A country's own second level that is not listed: not grouped under.
    expect(registrableDomain("a.example.co.de")).toBeUndefined();
    expect(registrableDomain("com")).toBeUndefined();
  });
});

describe("isPublicSuffixWildcard", () => {
  it("flags wildcards over a public suffix or a suffix it cannot judge", () => {
    expect(isPublicSuffixWildcard("*.co.uk")).toBe(true);
    expect(isPublicSuffixWildcard("*.github.io")).toBe(true);
    expect(isPublicSuffixWildcard("*.corp.internal")).toBe(true);
    expect(isPublicSuffixWildcard("*.example.com")).toBe(false);
    expect(isPublicSuffixWildcard("*.me.github.io:8443")).toBe(false);
    expect(isPublicSuffixWildcard("example.com")).toBe(false);
  });
});

describe("proposeAllowlist", () => {
  it("groups two or more hosts under one registrable domain into the narrowest *.suffix", () => {
    const proposal = propose([
      learned("api.example.com"),
      learned("api.example.com"),
      learned("cdn.example.com", 443, "93.184.216.35", 1),
      learned("a.b.example.org"),
      learned("c.b.example.org"),
      learned("only.example.net"),
    ]);
    expect(proposal.add).toEqual([
      {
        entry: "*.example.com",
        hosts: [
          { host: "api.example.com", port: 443, connections: 2 },
          { host: "cdn.example.com", port: 443, connections: 1 },
        ],
        connections: 3,
        lastSeen: minutesAgo(1),
      },
      {
        entry: "*.b.example.org",
        hosts: [
          { host: "a.b.example.org", port: 443, connections: 1 },
          { host: "c.b.example.org", port: 443, connections: 1 },
        ],
        connections: 2,
        lastSeen: minutesAgo(5),
      },
      {
        entry: "only.example.net",
        hosts: [{ host: "only.example.net", port: 443, connections: 1 }],
        connections: 1,
        lastSeen: minutesAgo(5),
      },
    ]);
    expect(proposal.window).toEqual({
      hours: 24,
      from: minutesAgo(24 * 60),
      to: now.toISOString(),
      events: 6,
    });
  });

  it("goes up to the registrable domain when the names sit at different depths, and keeps the bare domain apart", () => {
    expect(entries([learned("example.com"), learned("www.example.com"), learned("a.b.example.com")])).toEqual(
      ["*.example.com", "example.com"],
    );
  });

  it("never proposes a wildcard over a public suffix or a TLD", () => {
    expect(entries([learned("alice.github.io"), learned("bob.github.io")])).toEqual([
      "alice.github.io",
      "bob.github.io",
    ]);
    expect(entries([learned("one.co.uk"), learned("two.co.uk")])).toEqual(["one.co.uk", "two.co.uk"]);
    expect(entries([learned("a.corp.internal"), learned("b.corp.internal")])).toEqual([
      "a.corp.internal",
      "b.corp.internal",
    ]);
    expect(entries([learned("example.com"), learned("example.org")])).toEqual(["example.com", "example.org"]);
  });

  it("keeps ports other than 443 and 80 in the entry, and groups by port", () => {
    expect(
      entries([
        learned("api.example.com", 80),
        learned("api.example.com", 443),
        learned("a.example.com", 8443),
        learned("b.example.com", 8443),
        learned("c.example.com", 22),
      ]),
    ).toEqual(["*.example.com:8443", "api.example.com", "c.example.com:22"]);
  });

  it("counts denials for being off the list beside what learn mode let through, and nothing else", () => {
    const proposal = propose([
      denied("registry.npmjs.org"),
      denied("registry.npmjs.org"),
      learned("registry.npmjs.org"),
      // allowed by a rule, not by learn mode: nothing to add
      {
        time: minutesAgo(5),
        action: "egress_allowed",
        details: { host: "x.example.com", port: 443, rule: "x.example.com" },
      },
      denied("nowhere.example.com", 443, 5, "nowhere.example.com does not resolve"),
    ]);
    expect(proposal.add).toEqual([
      {
        entry: "registry.npmjs.org",
        hosts: [{ host: "registry.npmjs.org", port: 443, connections: 3 }],
        connections: 3,
        lastSeen: minutesAgo(5),
      },
    ]);
    expect(proposal.window.events).toBe(3);
  });

  it("reads only the window", () => {
    expect(
      entries([learned("old.example.com", 443, "93.184.216.34", 25 * 60), learned("new.example.org")]),
    ).toEqual(["new.example.org"]);
    expect(
      proposeAllowlist({
        events: [learned("old.example.com", 443, "93.184.216.34", 25 * 60)],
        currentAllow: [],
        hours: 48,
        now,
      }).add,
    ).toHaveLength(1);
  });

  it("never proposes private or loopback addresses, nor names seen resolving to one", () => {
    const proposal = propose([
      learned("10.0.0.5", 443, "10.0.0.5"),
      learned("127.0.0.1", 8080, "127.0.0.1"),
      learned("::1", 443, "::1"),
      learned("intranet.example.com", 443, "192.168.1.10"),
      learned("www.example.com", 443, "93.184.216.34"),
      learned("api.example.com", 443, "93.184.216.34"),
      denied(
        "rebind.example.com",
        443,
        5,
        "rebind.example.com:443 is not in this agent's allowlist, and it resolves to an address of this machine or a private network (never asked about)",
      ),
      learned("1.1.1.1", 443, "1.1.1.1"),
    ]);
    // Each name on its own: *.example.com would also reach the private names.
    expect(proposal.add.map((entry) => entry.entry)).toEqual([
      "1.1.1.1",
      "api.example.com",
      "www.example.com",
    ]);
    expect(proposal.skipped.map((entry) => [entry.host, entry.reason])).toEqual([
      ["::1", "an address of this machine or a private network: never proposed"],
      ["10.0.0.5", "an address of this machine or a private network: never proposed"],
      ["127.0.0.1", "an address of this machine or a private network: never proposed"],
      [
        "intranet.example.com",
        "it resolved to an address of this machine or a private network: never proposed",
      ],
      [
        "rebind.example.com",
        "it resolved to an address of this machine or a private network: never proposed",
      ],
    ]);
  });

  it("proposes a name the operator mapped to a private address by hand, saying so", () => {
    const proposal = proposeAllowlist({
      events: [learned("service.test", 4000, "127.0.0.1")],
      currentAllow: [],
      hours: 1,
      now,
      trusted: new Map([["service.test", "127.0.0.1"]]),
    });
    expect(proposal.add).toEqual([
      {
        entry: "service.test:4000",
        hosts: [{ host: "service.test", port: 4000, connections: 1 }],
        connections: 1,
        lastSeen: minutesAgo(5),
        note: "service.test is mapped to 127.0.0.1 by CLAW_EGRESS_RESOLVE",
      },
    ]);
  });

  it("skips what the allowlist already covers, and lists the allowlist as unchanged", () => {
    const proposal = propose(
      [
        learned("api.github.com"),
        learned("raw.githubusercontent.com"),
        learned("objects.githubusercontent.com"),
        learned("pypi.org"),
      ],
      ["api.github.com", "*.githubusercontent.com", "GET http://pypi.org/simple/*"],
    );
    expect(proposal.add.map((entry) => entry.entry)).toEqual(["pypi.org"]);
    expect(proposal.unchanged).toEqual([
      "api.github.com",
      "*.githubusercontent.com",
      "GET http://pypi.org/simple/*",
    ]);
    expect(proposal.skipped.map((entry) => entry.reason).sort()).toEqual([
      "already allowed by *.githubusercontent.com",
      "already allowed by *.githubusercontent.com",
      "already allowed by api.github.com",
    ]);
  });

  it("leaves out what a person denied and never widens a wildcard over it", () => {
    const proposal = propose([
      learned("a.example.com"),
      learned("b.example.com"),
      denied("c.example.com", 443, 3, "a person denied c.example.com:443: not this one"),
      denied("c.example.com", 443, 2),
    ]);
    expect(proposal.add.map((entry) => entry.entry)).toEqual(["a.example.com", "b.example.com"]);
    expect(proposal.skipped).toEqual([
      { host: "c.example.com", port: 443, connections: 1, reason: "a person denied it in this window" },
    ]);
  });

  it("leaves out an expected denial (OpenClaw's plugin catalog), with the preset that allows it", () => {
    const proposal = propose([denied("clawhub.ai"), learned("clawhub.ai")]);
    expect(proposal.add).toEqual([]);
    expect(proposal.skipped[0]?.reason).toContain("openclaw-hub preset");
  });

  it("ignores events it cannot read and names an allowlist cannot hold", () => {
    expect(
      entries([
        { time: minutesAgo(1), action: "egress_allowed", details: { host: 3, rule: "learn mode" } },
        {
          time: "not a time",
          action: "egress_allowed",
          details: { host: "a.example.com", port: 443, rule: "learn mode" },
        },
        learned("under_score.example.com"),
        learned("localhost", 443, "93.184.216.34"),
      ]),
    ).toEqual([]);
  });
});
