import { describe, expect, it } from "vitest";
import {
  type ApprovalListRow,
  agentArg,
  allowDecision,
  approvalIdArg,
  decidedByOf,
  decisionText,
  denyDecision,
  formatApprovalEvent,
  formatApprovalList,
  formatDecided,
  formatGrantList,
  type GrantListRow,
  grantIdArg,
  grantStanding,
  inboxOrder,
  limitOption,
  modeArg,
  span,
  statusOption,
} from "./approval-commands";
import { CliError, exitCodes } from "./cli-error";

const now = Date.parse("2026-12-08T12:00:00Z");
const at = (secondsFromNow: number) => new Date(now + secondsFromNow * 1000).toISOString();

function refusal(run: () => unknown): CliError {
  try {
    run();
  } catch (error) {
    if (error instanceof CliError) return error;
    throw error;
  }
  throw new Error("it was accepted");
}

const approval = (overrides: Partial<ApprovalListRow> = {}): ApprovalListRow => ({
  id: "ap-aaaaaaaaaa",
  agent: "coder",
  job: null,
  host: "example.com",
  port: 443,
  method: "CONNECT",
  path: null,
  asked: 1,
  status: "pending",
  decision: null,
  decidedBy: null,
  channel: null,
  reason: null,
  grantId: null,
  waiting: 1,
  createdAt: at(-5),
  expiresAt: at(55),
  ...overrides,
});

const grant = (overrides: Partial<GrantListRow> = {}): GrantListRow => ({
  id: "gr-bbbbbbbbbb",
  agent: "coder",
  job: null,
  host: "example.com",
  port: 443,
  kind: "minutes",
  expiresAt: at(540),
  usesLeft: null,
  used: 2,
  endedAt: null,
  endReason: null,
  createdBy: "cli",
  createdAt: at(-60),
  approvalId: "ap-aaaaaaaaaa",
  ...overrides,
});

describe("allowDecision", () => {
  it("reads no flag as once, and each flag as its decision", () => {
    expect(allowDecision({})).toEqual({ kind: "once" });
    expect(allowDecision({ for: "10m" })).toEqual({ kind: "minutes", minutes: 10 });
    expect(allowDecision({ for: "90s" })).toEqual({ kind: "minutes", minutes: 2 });
    expect(allowDecision({ for: "2h" })).toEqual({ kind: "minutes", minutes: 120 });
    expect(allowDecision({ for: "1d" })).toEqual({ kind: "minutes", minutes: 1440 });
    expect(allowDecision({ uses: "5" })).toEqual({ kind: "uses", uses: 5 });
    expect(allowDecision({ untilStop: true })).toEqual({ kind: "until_stop" });
    expect(allowDecision({ always: true })).toEqual({ kind: "always" });
  });

  it("refuses two ways at once, naming both and the fix, with the usage exit code", () => {
    const both = refusal(() => allowDecision({ for: "10m", uses: "5" }));
    expect(both.exitCode).toBe(exitCodes.usage);
    expect(both.message).toBe(
      "--for and --uses cannot go together: a request is allowed one way\nfix: give one of --for 10m, --uses 5, --until-stop, --always (none allows it once).",
    );
    expect(refusal(() => allowDecision({ untilStop: true, always: true })).message).toMatch(
      /^--until-stop and --always cannot go together/,
    );
  });

  it("refuses a duration or a count that does not parse or is out of range", () => {
    expect(refusal(() => allowDecision({ for: "soon" })).message).toBe(
      '--for "soon" is not a duration\nfix: --for 90s, 10m, 2h or 1d',
    );
    expect(refusal(() => allowDecision({ for: "8d" })).message).toMatch(/longer than 7 days\nfix: /);
    expect(allowDecision({ for: "7d" })).toEqual({ kind: "minutes", minutes: 10_080 });
    for (const uses of ["0", "-1", "2.5", "five", "10001"])
      expect(refusal(() => allowDecision({ uses })).message).toMatch(/^--uses ".*" is not a number/);
  });

  it("sends --reason to deny", () => {
    expect(refusal(() => allowDecision({ reason: "no" })).message).toBe(
      "--reason is for a denial\nfix: claw approvals deny ID --reason TEXT",
    );
  });
});

describe("denyDecision", () => {
  it("takes a reason, trimmed, or none", () => {
    expect(denyDecision({})).toEqual({ kind: "deny" });
    expect(denyDecision({ reason: "  not on a work day " })).toEqual({
      kind: "deny",
      reason: "not on a work day",
    });
    expect(denyDecision({ reason: "  " })).toEqual({ kind: "deny" });
  });

  it("refuses allow's flags and a reason too long for the agent to be told", () => {
    expect(refusal(() => denyDecision({ for: "10m" })).message).toMatch(
      /^--for is for allowing, not denying\nfix: /,
    );
    expect(refusal(() => denyDecision({ reason: "x".repeat(301) })).exitCode).toBe(exitCodes.usage);
  });
});

describe("the arguments", () => {
  it("takes ids, names, statuses, modes and limits as the panel does, and says what they look like", () => {
    expect(approvalIdArg("ap-abcdefgh23")).toBe("ap-abcdefgh23");
    expect(refusal(() => approvalIdArg("ap-1")).message).toBe(
      '"ap-1" is not an approval id: they look like ap-abcdefghij\nfix: claw approvals list shows the requests and their ids.',
    );
    expect(refusal(() => approvalIdArg("gr-abcdefghij")).exitCode).toBe(exitCodes.usage);
    expect(grantIdArg("gr-abcdefghij")).toBe("gr-abcdefghij");
    expect(refusal(() => grantIdArg("ap-abcdefghij")).message).toMatch(/^"ap-abcdefghij" is not a grant id/);
    expect(agentArg(undefined)).toBeUndefined();
    expect(agentArg("my-coder")).toBe("my-coder");
    expect(refusal(() => agentArg("../x")).message).toMatch(/is not an agent name.*\nfix: claw agents list/);
    expect(statusOption("expired")).toBe("expired");
    expect(refusal(() => statusOption("done")).message).toBe(
      '--status "done" is not a status\nfix: --status pending|allowed|denied|expired',
    );
    expect(modeArg("learn")).toBe("learn");
    expect(refusal(() => modeArg("allow")).message).toBe(
      '"allow" is not an egress mode\nfix: claw approvals mode NAME deny|ask|learn',
    );
    expect(limitOption(undefined)).toBe(50);
    expect(limitOption("200")).toBe(200);
    expect(refusal(() => limitOption("0")).exitCode).toBe(exitCodes.usage);
    expect(refusal(() => limitOption("201")).exitCode).toBe(exitCodes.usage);
  });
});

describe("span", () => {
  it("says seconds, minutes, hours and days as people do", () => {
    expect([span(-3), span(45), span(119), span(120), span(7199), span(7200), span(172_800)]).toEqual([
      "0 s",
      "45 s",
      "119 s",
      "2 min",
      "120 min",
      "2 h",
      "2 d",
    ]);
  });
});

describe("inboxOrder", () => {
  it("puts pending requests first, oldest first, then the rest newest first, each once", () => {
    const rows = [
      approval({ id: "ap-dddddddddd", status: "denied", createdAt: at(-10) }),
      approval({ id: "ap-pppppppppp", createdAt: at(-1) }),
      approval({ id: "ap-eeeeeeeeee", status: "expired", createdAt: at(-2) }),
      approval({ id: "ap-qqqqqqqqqq", createdAt: at(-30) }),
      approval({ id: "ap-pppppppppp", createdAt: at(-1) }),
    ];
    expect(inboxOrder(rows).map((row) => row.id)).toEqual([
      "ap-qqqqqqqqqq",
      "ap-pppppppppp",
      "ap-eeeeeeeeee",
      "ap-dddddddddd",
    ]);
  });
});

describe("decisionText and decidedByOf", () => {
  it("gives each decision in a word or two, with the grant's terms when known", () => {
    const decided = (decision: string, reason: string | null = null) =>
      approval({ status: "allowed", decision, reason, waiting: 0 });
    expect(decisionText(approval())).toBe("1 held");
    expect(decisionText(approval({ waiting: 0 }))).toBe("");
    expect(decisionText(decided("once"))).toBe("once");
    expect(decisionText(decided("minutes"), grant())).toBe("for 10 min");
    expect(decisionText(decided("minutes"))).toBe("for a time");
    expect(decisionText(decided("uses"), grant({ kind: "uses", usesLeft: 3, used: 2 }))).toBe("5 uses");
    expect(decisionText(decided("until_stop"))).toBe("until stop");
    expect(decisionText(decided("always"))).toBe("always");
    expect(decisionText(decided("deny", "not today"))).toBe("not today");
    expect(decisionText(decided("timeout", "nobody answered within 60 s"))).toBe("no answer");
    expect(decisionText(decided("stopped", "the panel restarted"))).toBe("the panel restarted");
  });

  it("names who decided, and the channel only when the actor does not say it", () => {
    expect(decidedByOf({ decidedBy: null, channel: null })).toBe("");
    expect(decidedByOf({ decidedBy: "cli", channel: "cli" })).toBe("cli");
    expect(decidedByOf({ decidedBy: "telegram:42", channel: "telegram" })).toBe("telegram:42");
    expect(decidedByOf({ decidedBy: "panel:abcdef012345", channel: "panel" })).toBe("panel:abcdef012345");
    expect(decidedByOf({ decidedBy: "alice", channel: "telegram" })).toBe("alice via telegram");
  });
});

describe("formatApprovalList", () => {
  it("lines up a pending request (when it expires) and a decided one (how long ago, its grant's terms)", () => {
    const text = formatApprovalList(
      [
        approval({ asked: 3, waiting: 2 }),
        approval({
          id: "ap-cccccccccc",
          job: "j-abcdefghij",
          host: "pypi.org",
          port: 80,
          method: "GET",
          path: "/simple/requests/",
          status: "allowed",
          decision: "minutes",
          decidedBy: "cli",
          channel: "cli",
          grantId: "gr-bbbbbbbbbb",
          waiting: 0,
          createdAt: at(-600),
        }),
      ],
      { grants: [grant()], now },
    );
    expect(text.split("\n")).toEqual([
      "ID             AGENT/JOB         TARGET           REQUEST                ASKED  STATUS   DECISION    BY   WHEN",
      "ap-aaaaaaaaaa  coder             example.com:443  CONNECT                3      pending  2 held           expires in 55 s",
      "ap-cccccccccc  job j-abcdefghij  pypi.org:80      GET /simple/requests/  1      allowed  for 10 min  cli  10 min ago",
    ]);
  });

  it("says what an empty list means, filtered or not", () => {
    expect(formatApprovalList([], { filtered: true })).toBe("no approval requests match");
    expect(formatApprovalList([])).toMatch(/^no approval requests yet: .*claw approvals mode NAME ask/);
  });
});

describe("grantStanding and formatGrantList", () => {
  it("says what a grant still allows, or when and why it ended", () => {
    expect(grantStanding(grant(), now)).toBe("9 min left");
    expect(grantStanding(grant({ kind: "uses", usesLeft: 3, used: 2, expiresAt: null }), now)).toBe(
      "3 of 5 uses left",
    );
    expect(grantStanding(grant({ kind: "until_stop", expiresAt: null }), now)).toBe("until the agent stops");
    expect(grantStanding(grant({ kind: "until_stop", job: "j-abcdefghij", expiresAt: null }), now)).toBe(
      "until the job ends",
    );
    const ended = (endReason: string) => grantStanding(grant({ endedAt: at(-30), endReason }), now);
    expect(ended("expired")).toBe("ended 30 s ago: its time ran out");
    expect(ended("used_up")).toBe("ended 30 s ago: its uses ran out");
    expect(ended("revoked")).toBe("ended 30 s ago: revoked");
    expect(ended("stopped")).toBe("ended 30 s ago: its owner stopped");
  });

  it("lines the grants up, and says what an empty list means", () => {
    expect(formatGrantList([grant()], { now }).split("\n")).toEqual([
      "GRANT          AGENT/JOB  TARGET           KIND     USED  STANDING    BY   APPROVAL",
      "gr-bbbbbbbbbb  coder      example.com:443  minutes  2     9 min left  cli  ap-aaaaaaaaaa",
    ]);
    expect(formatGrantList([])).toMatch(/^no grants are counting now \(claw approvals grants --all/);
    expect(formatGrantList([], { all: true })).toMatch(/^no grants yet/);
  });
});

describe("formatDecided", () => {
  it("says the decision, for whom and where to, and how to end the grant it made", () => {
    expect(formatDecided(approval({ grantId: "gr-bbbbbbbbbb" }), { kind: "minutes", minutes: 10 })).toBe(
      "ap-aaaaaaaaaa: allowed for 10 minutes (coder → example.com:443)\ngrant gr-bbbbbbbbbb: claw approvals revoke gr-bbbbbbbbbb ends it early",
    );
    expect(formatDecided(approval(), { kind: "deny", reason: "no" })).toBe(
      "ap-aaaaaaaaaa: denied: no (coder → example.com:443)",
    );
  });
});

describe("formatApprovalEvent", () => {
  const event = (action: string, details: Record<string, unknown>, actor = "cli") => ({
    time: "2026-12-08T12:00:00.000Z",
    action,
    actor,
    agent: "coder",
    details,
  });

  it("prints a request, a decision, an expiry and a grant's end as one line each", () => {
    expect(
      formatApprovalEvent(
        event(
          "approval_requested",
          {
            approval: "ap-aaaaaaaaaa",
            host: "example.com",
            port: 443,
            method: "CONNECT",
            timeoutSeconds: 60,
          },
          "agent:coder",
        ),
      ),
    ).toBe(
      "2026-12-08T12:00:00.000Z  ap-aaaaaaaaaa  asked     coder → example.com:443 CONNECT, waits 60 s: claw approvals allow ap-aaaaaaaaaa",
    );
    expect(
      formatApprovalEvent(
        event("approval_decided", {
          approval: "ap-aaaaaaaaaa",
          host: "example.com",
          port: 443,
          summary: "allowed for 10 minutes",
          channel: "cli",
          grant: "gr-bbbbbbbbbb",
        }),
      ),
    ).toBe(
      "2026-12-08T12:00:00.000Z  ap-aaaaaaaaaa  decided   coder → example.com:443 allowed for 10 minutes by cli (grant gr-bbbbbbbbbb)",
    );
    expect(
      formatApprovalEvent(
        event(
          "approval_expired",
          {
            approval: "ap-aaaaaaaaaa",
            host: "example.com",
            port: 443,
            reason: "nobody answered within 60 s",
          },
          "system",
        ),
      ),
    ).toBe(
      "2026-12-08T12:00:00.000Z  ap-aaaaaaaaaa  expired   coder → example.com:443: nobody answered within 60 s",
    );
    expect(
      formatApprovalEvent(
        event(
          "approval_grant_ended",
          {
            grant: "gr-bbbbbbbbbb",
            host: "pypi.org",
            port: 443,
            reason: "used_up",
            used: 5,
            job: "j-abcdefghij",
          },
          "system",
        ),
      ),
    ).toBe(
      "2026-12-08T12:00:00.000Z  gr-bbbbbbbbbb  ended     job j-abcdefghij → pypi.org:443: its uses ran out, used 5×",
    );
    expect(
      formatApprovalEvent(
        event("approval_grant_revoked", { grant: "gr-bbbbbbbbbb", host: "a.b", port: 443, used: 1 }),
      ),
    ).toBe("2026-12-08T12:00:00.000Z  gr-bbbbbbbbbb  revoked   coder → a.b:443 by cli, used 1×");
  });

  it("leaves out a grant's each use, and survives details it does not expect", () => {
    expect(formatApprovalEvent(event("approval_grant_used", { grant: "gr-bbbbbbbbbb" }))).toBeUndefined();
    expect(formatApprovalEvent(event("approval_expired", { port: "not a number" }))).toBe(
      "2026-12-08T12:00:00.000Z    expired   coder → ?:?: ",
    );
  });
});
