import { describe, expect, it } from "vitest";
import { auditFilter, formatAuditEvent, formatVerification } from "./audit-commands";
import { exitCodes } from "./cli-error";

describe("formatAuditEvent", () => {
  const event = {
    time: "2026-05-01T12:00:00.000Z",
    id: 7,
    category: "lifecycle",
    action: "agent_started",
    actor: "cli",
    agent: "coder",
    outcome: "ok",
    details: { containerId: "abc" },
  } as const;

  it("prints one line: time, id, category/action, actor, agent, outcome, details", () => {
    expect(formatAuditEvent(event)).toBe(
      '2026-05-01T12:00:00.000Z  #7  lifecycle/agent_started  cli  coder  ok  {"containerId":"abc"}',
    );
  });

  it("shows - for no agent and nothing for empty details, without trailing spaces", () => {
    expect(formatAuditEvent({ ...event, agent: null, details: {} })).toBe(
      "2026-05-01T12:00:00.000Z  #7  lifecycle/agent_started  cli  -  ok",
    );
  });
});

describe("formatVerification", () => {
  const report = {
    rows: 120,
    checkpoints: 3,
    lastCheckpointSize: 100,
    uncoveredRows: 20,
    keyId: "ed25519:abcd",
    durationMs: 12,
    verifiedAt: "2026-05-01T12:00:00.000Z",
  };

  it("sums up an intact log with its key", () => {
    expect(formatVerification({ ...report, ok: true, problems: [] })).toBe(
      "ok: 120 events, 3 signed checkpoints (last at 100; 20 newer events covered by the chain only), verified in 12 ms\nkey ed25519:abcd",
    );
  });

  it("leads with the first problem of a tampered log and lists the others", () => {
    const problems = [
      { kind: "rewritten_chain", message: "row 5: hash does not match" },
      { kind: "truncated_tail", message: "rows after 110 are missing" },
      { kind: "bad_checkpoint", message: "checkpoint 100: bad signature" },
    ] as const;
    expect(formatVerification({ ...report, ok: false, problems: [...problems] }).split("\n")).toEqual([
      "TAMPERED: row 5: hash does not match",
      "  also: rows after 110 are missing",
      "  also: checkpoint 100: bad signature",
    ]);
    expect(formatVerification({ ...report, ok: false, problems: [problems[0]] })).toBe(
      "TAMPERED: row 5: hash does not match",
    );
  });
});

describe("auditFilter", () => {
  it("passes a known category and the agent on", () => {
    expect(auditFilter({ category: "job", agent: "coder" })).toEqual({ category: "job", agent: "coder" });
    expect(auditFilter({})).toEqual({ category: undefined, agent: undefined });
  });

  it("refuses an unknown or empty category as a usage error that names the known ones", () => {
    const usageError = expect.objectContaining({
      exitCode: exitCodes.usage,
      message:
        "--category must be one of lifecycle, policy, access, terminal, job, egress, approval, model, secrets, panel",
    });
    expect(() => auditFilter({ category: "jobs" })).toThrow(usageError);
    expect(() => auditFilter({ category: "" })).toThrow(usageError);
  });
});
