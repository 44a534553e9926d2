// The approvals service on a real SQLite file and audit log; the egress proxy's side is played by
// calling `ask` as it does. test/approvals.test.ts runs the same through a real agent container.
import { afterEach, describe, expect, it } from "vitest";
import { createTestAuditLog, type TestAuditLog } from "../audit/audit-test-log";
import type { UnlistedDecision, UnlistedTarget } from "../egress/egress-proxy";
import { type Approvals, createApprovals, maxPendingPerOwner, maxRequestsPerHour } from "./approvals";

const target: UnlistedTarget = {
  host: "downloads.example.org",
  port: 443,
  method: "CONNECT",
  path: null,
};
const owner = { agent: "c1" };
const panel = { actor: "panel:0123456789ab", channel: "panel" as const };

let log: TestAuditLog | undefined;
let approvals: Approvals | undefined;
let relocks: { agent: string; entry: string }[] = [];

afterEach(async () => {
  approvals?.close();
  await log?.audit.close();
  await log?.db.$disconnect();
  approvals = undefined;
  log = undefined;
});

async function setup() {
  log = await createTestAuditLog();
  relocks = [];
  approvals = createApprovals({
    db: log.db,
    audit: log.audit,
    allowAlways: async (agent, entry) => {
      relocks.push({ agent, entry });
      return { before: ["github.com"], after: ["github.com", entry] };
    },
    activityOf: async () => "exec: curl https://downloads.example.org/",
    sweepMs: 60_000,
  });
  await approvals.start();
  return { log, approvals };
}

async function actions(test: TestAuditLog) {
  return (await test.db.auditEvent.findMany({ where: { category: "approval" }, orderBy: { id: "asc" } })).map(
    (event) => event.action,
  );
}

/** Waits until the service holds `count` requests (asking is asynchronous: rows are written first). */
async function pendingRows(test: TestAuditLog, count: number) {
  for (let i = 0; i < 200; i++) {
    const rows = await test.db.approval.findMany({ where: { status: "pending" } });
    if (rows.length === count) return rows;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`expected ${count} pending requests`);
}

describe("approvals", () => {
  it("collapses identical requests into one, and allow once lets every held connection through", async () => {
    const { log, approvals } = await setup();
    const first = approvals.ask(owner, target, 30_000);
    const [row] = await pendingRows(log, 1);
    const second = approvals.ask(owner, target, 30_000);
    const other = approvals.ask({ agent: "c2" }, target, 30_000);
    await pendingRows(log, 2);
    expect(approvals.pendingCount()).toBe(2);
    expect(row?.activity).toBe("exec: curl https://downloads.example.org/");
    const id = row?.id ?? "";
    await expect.poll(async () => (await approvals.get(id)).asked).toBe(2);
    expect((await approvals.get(id)).waiting).toBe(2);

    const decided = await approvals.decide(id, { kind: "once" }, panel);
    expect(decided).toMatchObject({ status: "allowed", decision: "once", channel: "panel", grantId: null });
    for (const answer of [await first, await second])
      expect(answer).toEqual<UnlistedDecision>({
        allowed: true,
        approval: id,
        rule: `approval ${id} (once)`,
      });
    // Once is once: the next connection asks again.
    const again = approvals.ask(owner, target, 30_000);
    await pendingRows(log, 2);
    expect(approvals.pendingCount()).toBe(2);
    approvals.close();
    expect(await again).toMatchObject({ allowed: false });
    expect(await other).toMatchObject({ allowed: false, reason: "the panel is shutting down" });
    expect(await actions(log)).toEqual([
      "approval_requested",
      "approval_requested",
      "approval_decided",
      "approval_requested",
    ]);
  });

  it("a uses grant counts the held connection, lets the rest through and ends used up", async () => {
    const { log, approvals } = await setup();
    const held = approvals.ask(owner, target, 30_000);
    const [row] = await pendingRows(log, 1);
    const decided = await approvals.decide(row?.id ?? "", { kind: "uses", uses: 2 }, panel);
    const grant = decided.grantId ?? "";
    expect(await held).toMatchObject({ allowed: true, grant });
    expect(await approvals.ask(owner, target, 30_000)).toMatchObject({
      allowed: true,
      grant,
      rule: `grant ${grant}`,
    });
    expect(await approvals.grants({})).toEqual([]);
    expect((await approvals.grants({ ended: true }))[0]).toMatchObject({
      endReason: "used_up",
      used: 2,
      usesLeft: 0,
    });
    // Another owner's grant never counts, and a used-up one asks again.
    const third = approvals.ask(owner, target, 30_000);
    await pendingRows(log, 1);
    approvals.close();
    await third;
    expect(await actions(log)).toEqual([
      "approval_requested",
      "approval_decided",
      "approval_grant_used",
      "approval_grant_ended",
      "approval_requested",
    ]);
  });

  it("a minutes grant lasts its time, ends when swept after it, and can be revoked", async () => {
    const { log, approvals } = await setup();
    const held = approvals.ask(owner, target, 30_000);
    const [row] = await pendingRows(log, 1);
    const decided = await approvals.decide(row?.id ?? "", { kind: "minutes", minutes: 10 }, panel);
    await held;
    const [grant] = await approvals.grants({ agent: "c1" });
    expect(grant?.expiresAt?.getTime()).toBeGreaterThan(Date.now() + 9 * 60_000);
    expect(await approvals.ask(owner, target, 30_000)).toMatchObject({
      allowed: true,
      grant: decided.grantId,
    });
    expect(await approvals.ask(owner, { ...target, port: 8443 }, 1)).toMatchObject({ allowed: false });
    // Time passes: a grant past its time is not used, and is ended as expired.
    await log.db.egressGrant.update({
      where: { id: grant?.id },
      data: { expiresAt: new Date(Date.now() - 1) },
    });
    const after = approvals.ask(owner, target, 30_000);
    await pendingRows(log, 1);
    expect((await log.db.egressGrant.findUnique({ where: { id: grant?.id } }))?.endReason).toBe("expired");
    await expect(approvals.revoke(grant?.id ?? "", panel)).rejects.toThrow(/already ended \(expired\)/);
    approvals.close();
    await after;
  });

  it("denies with the reason the agent reads, and times out with how to allow it", async () => {
    const { log, approvals } = await setup();
    const held = approvals.ask(owner, target, 30_000);
    const [row] = await pendingRows(log, 1);
    await approvals.decide(row?.id ?? "", { kind: "deny", reason: "use the mirror" }, panel);
    expect(await held).toMatchObject({
      allowed: false,
      reason: "a person denied downloads.example.org:443: use the mirror",
    });
    // The denial stands: asked again, the agent is refused without paging anyone.
    expect(await approvals.ask(owner, target, 30_000)).toMatchObject({
      allowed: false,
      approval: row?.id,
      reason: expect.stringMatching(/use the mirror \(denied 10 more minute\(s\) without asking again\)/),
    });
    expect(await log.db.approval.count()).toBe(1);
    const other = { ...target, host: "cdn.example.org" };
    const late = await approvals.ask(owner, other, 50);
    expect(late).toMatchObject({ allowed: false });
    expect(late.allowed ? "" : late.reason).toMatch(/nobody answered its approval request ap-\w+ in time/);
    const expired = (await log.db.approval.findMany({ where: { status: "expired" } }))[0];
    expect(expired).toMatchObject({ decision: "timeout", channel: "system" });
    // Too late for once, not for a grant: the agent's next try goes through.
    await expect(approvals.decide(expired?.id ?? "", { kind: "once" }, panel)).rejects.toThrow(
      /already closed/,
    );
    await approvals.decide(expired?.id ?? "", { kind: "uses", uses: 1 }, panel);
    expect(await approvals.ask(owner, other, 30_000)).toMatchObject({ allowed: true });
    await expect(approvals.decide(row?.id ?? "", { kind: "once" }, panel)).rejects.toThrow(/already denied/);
  });

  it("always re-locks the agent with the host and lets it through until the new lock applies", async () => {
    const { log, approvals } = await setup();
    const held = approvals.ask(owner, { ...target, port: 8443 }, 30_000);
    const [row] = await pendingRows(log, 1);
    const decided = await approvals.decide(row?.id ?? "", { kind: "always" }, panel);
    expect(relocks).toEqual([{ agent: "c1", entry: "downloads.example.org:8443" }]);
    expect(await held).toMatchObject({ allowed: true });
    expect((await approvals.grants({}))[0]).toMatchObject({ kind: "until_stop", id: decided.grantId });
    const event = await log.db.auditEvent.findFirst({ where: { action: "approval_decided" } });
    expect(JSON.parse(event?.details ?? "{}")).toMatchObject({
      decision: "always",
      policyAfter: ["github.com", "downloads.example.org:8443"],
    });
    // The agent stops: its until-stop grants end, and what it held is refused.
    const waiting = approvals.ask(owner, { ...target, host: "other.example.org" }, 30_000);
    await pendingRows(log, 1);
    await approvals.ownerStopped(owner);
    expect(await waiting).toMatchObject({ allowed: false, reason: expect.stringMatching(/c1 stopped/) });
    expect((await approvals.grants({ ended: true }))[0]).toMatchObject({ endReason: "stopped" });
  });

  it("holds at most a few distinct requests per agent, refusing more without asking", async () => {
    const { log, approvals } = await setup();
    const held = Array.from({ length: maxPendingPerOwner }, (_, i) =>
      approvals.ask(owner, { ...target, host: `h${i}.example.org` }, 30_000),
    );
    await pendingRows(log, maxPendingPerOwner);
    expect(await approvals.ask(owner, { ...target, host: "one-more.example.org" }, 30_000)).toMatchObject({
      allowed: false,
      reason: expect.stringMatching(/10 of its requests already wait for a person/),
    });
    // Another agent is asked as usual, and a host already asked about still joins its request.
    const other = approvals.ask({ agent: "c2" }, target, 30_000);
    const joined = approvals.ask(owner, { ...target, host: "h0.example.org" }, 30_000);
    await pendingRows(log, maxPendingPerOwner + 1);
    approvals.close();
    for (const answer of await Promise.all([...held, other, joined])) expect(answer.allowed).toBe(false);
  });

  it("N uses lets the first N held connections through; a hang-up gives its place back", async () => {
    const { log, approvals } = await setup();
    const gone = new AbortController();
    const first = approvals.ask(owner, target, 30_000);
    const [row] = await pendingRows(log, 1);
    const leaving = approvals.ask(owner, target, 30_000, gone.signal);
    const second = approvals.ask(owner, target, 30_000);
    const third = approvals.ask(owner, target, 30_000);
    await expect.poll(async () => (await approvals.get(row?.id ?? "")).waiting).toBe(4);
    gone.abort();
    expect(await leaving).toEqual({ allowed: false, reason: "the connection closed" });
    expect((await approvals.get(row?.id ?? "")).waiting).toBe(3);
    expect((await approvals.get(row?.id ?? "")).asked).toBe(4);
    const decided = await approvals.decide(row?.id ?? "", { kind: "uses", uses: 2 }, panel);
    expect(await first).toMatchObject({ allowed: true, grant: decided.grantId });
    expect(await second).toMatchObject({ allowed: true });
    expect(await third).toMatchObject({
      allowed: false,
      reason:
        "the 2 use(s) allowed for downloads.example.org:443 went to connections before this one; ask again",
    });
    expect((await approvals.grants({ ended: true }))[0]).toMatchObject({
      used: 2,
      usesLeft: 0,
      endReason: "used_up",
    });
    expect(decided.asked).toBe(4);
  });

  it("a revoked grant closes what it let through; deleting the agent ends all its grants", async () => {
    const { log, approvals } = await setup();
    const held = approvals.ask(owner, target, 30_000);
    const [row] = await pendingRows(log, 1);
    const decided = await approvals.decide(row?.id ?? "", { kind: "minutes", minutes: 10 }, panel);
    await held;
    let closed = 0;
    const untrack = approvals.trackGrant(decided.grantId ?? "", () => closed++);
    approvals.trackGrant(decided.grantId ?? "", () => closed++)();
    await approvals.revoke(decided.grantId ?? "", panel);
    expect(closed).toBe(1);
    untrack();
    const again = approvals.ask(owner, { ...target, port: 8080 }, 30_000);
    const [next] = await pendingRows(log, 1);
    await approvals.decide(next?.id ?? "", { kind: "minutes", minutes: 10 }, panel);
    await again;
    await approvals.ownerStopped(owner);
    expect(await approvals.grants({})).toHaveLength(1);
    await approvals.ownerDeleted(owner);
    expect(await approvals.grants({})).toEqual([]);
  });

  it("caps the requests one agent raises in an hour", async () => {
    const { log, approvals } = await setup();
    for (let i = 0; i < maxRequestsPerHour; i++) {
      const asked = approvals.ask(owner, { ...target, host: `h${i}.example.org` }, 30_000);
      const [row] = await pendingRows(log, 1);
      await approvals.decide(row?.id ?? "", { kind: "once" }, panel);
      await asked;
    }
    expect(await approvals.ask(owner, { ...target, host: "more.example.org" }, 30_000)).toMatchObject({
      allowed: false,
      reason: expect.stringMatching(/it asked about 30 hosts in the last hour/),
    });
  });

  it("refuses always for a job, and decisions on unknown requests, with a fix", async () => {
    const { log, approvals } = await setup();
    const held = approvals.ask({ job: "j-abcdefghij" }, target, 30_000);
    const [row] = await pendingRows(log, 1);
    await expect(approvals.decide(row?.id ?? "", { kind: "always" }, panel)).rejects.toThrow(
      /Only an agent's request can be allowed always/,
    );
    await expect(approvals.decide("ap-aaaaaaaaaa", { kind: "once" }, panel)).rejects.toThrow(
      /No approval request/,
    );
    await approvals.ownerStopped({ job: "j-abcdefghij" });
    expect(await held).toMatchObject({
      allowed: false,
      reason: expect.stringMatching(/job j-abcdefghij ended/),
    });
  });
});
