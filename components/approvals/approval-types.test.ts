import { describe, expect, it } from "vitest";
import {
  approvalClosedOf,
  approvalRequestedOf,
  approvalsNavLabel,
  decisionText,
  grantLeft,
  historyFilterOf,
  minutesField,
  requesterText,
  requestLineOf,
  timeLeft,
  usesField,
} from "./approval-types";

const time = "2030-01-01T10:00:00.000Z";
const at = Date.parse(time);

describe("approvalRequestedOf", () => {
  it("reads the request an approval_requested event raised, with when it answers itself", () => {
    expect(
      approvalRequestedOf({
        action: "approval_requested",
        agent: "coder-1",
        time,
        details: {
          approval: "ap-abcdefghij",
          host: "example.org",
          port: 80,
          method: "GET",
          path: "/x",
          activity: "web_fetch",
          timeoutSeconds: 30,
        },
      }),
    ).toEqual({
      id: "ap-abcdefghij",
      agent: "coder-1",
      job: null,
      host: "example.org",
      port: 80,
      method: "GET",
      path: "/x",
      activity: "web_fetch",
      expiresAt: at + 30_000,
    });
  });

  it("names the job of a job's request", () => {
    const request = approvalRequestedOf({
      action: "approval_requested",
      agent: null,
      time,
      details: { approval: "ap-abcdefghij", host: "h", port: 443, method: "CONNECT", path: null, job: "j-1" },
    });
    expect(request?.job).toBe("j-1");
    expect(request?.expiresAt).toBe(at + 60_000);
  });

  it("ignores other actions and malformed details", () => {
    const details = { approval: "ap-abcdefghij", host: "h", port: 443 };
    expect(approvalRequestedOf({ action: "approval_decided", agent: "a", time, details })).toBeUndefined();
    expect(
      approvalRequestedOf({ action: "approval_requested", agent: "a", time, details: { host: "h" } }),
    ).toBeUndefined();
    expect(
      approvalRequestedOf({ action: "approval_requested", agent: "a", time, details: null }),
    ).toBeUndefined();
  });
});

describe("approvalClosedOf", () => {
  it("reads the request a decision or an expiry closed", () => {
    expect(approvalClosedOf({ action: "approval_decided", details: { approval: "ap-1" } })).toBe("ap-1");
    expect(approvalClosedOf({ action: "approval_expired", details: { approval: "ap-2" } })).toBe("ap-2");
  });

  it("ignores requests, grant events and details without an id", () => {
    expect(approvalClosedOf({ action: "approval_requested", details: { approval: "ap-1" } })).toBeUndefined();
    expect(
      approvalClosedOf({ action: "approval_grant_used", details: { approval: "ap-1" } }),
    ).toBeUndefined();
    expect(approvalClosedOf({ action: "approval_decided", details: null })).toBeUndefined();
  });
});

describe("requestLineOf", () => {
  it("shows a plain-HTTP request's method and path, nothing for a tunnel", () => {
    expect(requestLineOf({ method: "GET", path: "/a?b=1" })).toBe("GET /a?b=1");
    expect(requestLineOf({ method: "POST", path: null })).toBe("POST");
    expect(requestLineOf({ method: "CONNECT", path: null })).toBeNull();
    expect(requestLineOf({ method: null, path: null })).toBeNull();
  });
});

describe("timeLeft", () => {
  it("counts down in seconds, minutes, hours and days, never below zero", () => {
    expect(timeLeft(at + 42_000, at)).toBe("42 s");
    expect(timeLeft(at + 41_200, at)).toBe("42 s");
    expect(timeLeft(at + 185_000, at)).toBe("3 min 05 s");
    expect(timeLeft(at + 2 * 3_600_000 + 600_000, at)).toBe("2 h 10 min");
    expect(timeLeft(at + 50 * 3_600_000, at)).toBe("2 d 2 h");
    expect(timeLeft(at - 5_000, at)).toBe("0 s");
  });
});

describe("grantLeft", () => {
  it("says the time, the uses, or until when a grant lasts", () => {
    expect(
      grantLeft(
        { kind: "minutes", expiresAt: new Date(at + 90_000).toISOString(), usesLeft: null, job: null },
        at,
      ),
    ).toBe("1 min 30 s left");
    expect(grantLeft({ kind: "uses", expiresAt: null, usesLeft: 1, job: null }, at)).toBe("1 use left");
    expect(grantLeft({ kind: "uses", expiresAt: null, usesLeft: 4, job: null }, at)).toBe("4 uses left");
    expect(grantLeft({ kind: "until_stop", expiresAt: null, usesLeft: null, job: null }, at)).toBe(
      "until the agent stops",
    );
    expect(grantLeft({ kind: "until_stop", expiresAt: null, usesLeft: null, job: "j-1" }, at)).toBe(
      "until the job ends",
    );
  });
});

describe("decisionText", () => {
  const base = { status: "allowed", reason: null, job: null };
  it("reads the minutes and uses from the grant the decision left", () => {
    const grant = {
      createdAt: time,
      expiresAt: new Date(at + 600_000).toISOString(),
      used: 0,
      usesLeft: null,
    };
    expect(decisionText({ ...base, decision: "minutes" }, grant)).toBe("allowed for 10 minutes");
    expect(decisionText({ ...base, decision: "minutes" })).toBe("allowed for some minutes");
    expect(
      decisionText({ ...base, decision: "uses" }, { createdAt: time, expiresAt: null, used: 2, usesLeft: 3 }),
    ).toBe("allowed for 5 uses");
    expect(
      decisionText({ ...base, decision: "uses" }, { createdAt: time, expiresAt: null, used: 1, usesLeft: 0 }),
    ).toBe("allowed for 1 use");
  });

  it("says the other answers and endings", () => {
    expect(decisionText({ ...base, decision: "once" })).toBe("allowed once");
    expect(decisionText({ ...base, decision: "until_stop" })).toBe("allowed until the agent stops");
    expect(decisionText({ ...base, decision: "until_stop", job: "j-1" })).toBe("allowed until the job ends");
    expect(decisionText({ ...base, decision: "always" })).toContain("allowlist");
    expect(decisionText({ ...base, status: "denied", decision: "deny" })).toBe("denied");
    expect(decisionText({ ...base, status: "denied", decision: "deny", reason: "not today" })).toBe(
      "denied: not today",
    );
    expect(decisionText({ ...base, status: "expired", decision: "timeout" })).toContain("nobody answered");
    expect(
      decisionText({ ...base, status: "expired", decision: "stopped", reason: "the panel restarted" }),
    ).toBe("closed: the panel restarted");
    expect(decisionText({ ...base, status: "pending", decision: null })).toBe("pending");
  });
});

describe("fields and filters", () => {
  it("accepts whole minutes and uses in range, with a sentence otherwise", () => {
    expect(minutesField.parse("10")).toBe(10);
    expect(usesField.parse("5")).toBe(5);
    expect(minutesField.safeParse("0").error?.issues[0]?.message).toMatch(/^Minutes: a whole number/);
    expect(minutesField.safeParse("1.5").success).toBe(false);
    expect(minutesField.safeParse("abc").success).toBe(false);
    expect(usesField.safeParse("10001").error?.issues[0]?.message).toMatch(/^Uses: a whole number/);
  });

  it("reads the history filter from the URL, dropping what is not one", () => {
    expect(historyFilterOf(new URLSearchParams("status=denied&agent=coder-1"))).toEqual({
      status: "denied",
      agent: "coder-1",
    });
    expect(historyFilterOf(new URLSearchParams("status=pending&agent=Bad_Name"))).toEqual({
      status: undefined,
      agent: undefined,
    });
    expect(historyFilterOf(new URLSearchParams(""))).toEqual({ status: undefined, agent: undefined });
  });
});

describe("labels", () => {
  it("names the header link with the count waiting", () => {
    expect(approvalsNavLabel(2)).toBe("Approvals, 2 waiting");
    expect(approvalsNavLabel(0)).toBe("Approvals");
    expect(approvalsNavLabel(undefined)).toBe("Approvals");
  });

  it("names who asked", () => {
    expect(requesterText({ agent: "coder-1", job: null })).toBe("agent coder-1");
    expect(requesterText({ agent: "coder-1", job: "j-1" })).toBe("job j-1 of agent coder-1");
    expect(requesterText({ agent: null, job: "j-1" })).toBe("job j-1");
  });
});
