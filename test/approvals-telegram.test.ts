// Approvals decided from Telegram: the real access service and the real approvals service on a real
// SQLite file and audit log, the real grammY bot against the fake Bot API on loopback. The request
// is raised with `approvals.ask` as the egress proxy raises it (test/approvals.test.ts drives a real
// agent container through the proxy); agent operations are stand-ins the approvals never call.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AgentOps } from "../server/access/access-commands";
import { type AccessService, createAccessService } from "../server/access/access-service";
import type { Role } from "../server/access/roles";
import { type Approvals, createApprovals } from "../server/approvals/approvals";
import { createTestAuditLog, type TestAuditLog } from "../server/audit/audit-test-log";
import type { UnlistedTarget } from "../server/egress/egress-proxy";
import { type FakeTelegram, type FakeUser, type SentMessage, startFakeTelegram } from "./fake-telegram";
import { waitFor } from "./wait-for";

// Paired in this order: each request's notices go out in it, so once the last operator has theirs,
// anyone before them who was going to get one has it too.
const victor: FakeUser = { id: 2001, username: "victor" }; // viewer on web
const carol: FakeUser = { id: 2002, username: "carol" }; // operator on db only
const alice: FakeUser = { id: 2003, username: "alice" }; // operator on web
const dora: FakeUser = { id: 2004, username: "dora" }; // operator on web, revoked mid-way
const adam: FakeUser = { id: 2005, firstName: "Adam" }; // admin on web

const secret = "tok_live_0123456789abcdefXYZ";
const target: UnlistedTarget = {
  host: "api.example.com",
  port: 443,
  method: "CONNECT",
  path: null,
};

describe("approvals in Telegram", () => {
  let log: TestAuditLog;
  let fake: FakeTelegram;
  let approvals: Approvals;
  let access: AccessService;

  const notUsed = (what: string) => () => {
    throw new Error(`${what} is not used by approvals`);
  };
  const agentOps: AgentOps = {
    status: () => null,
    start: notUsed("start"),
    stop: notUsed("stop"),
    logs: notUsed("logs"),
    startJob: notUsed("startJob"),
    sessionOpen: async () => false,
    secrets: async () => [{ label: "the agent's API token", value: secret }],
  };

  async function pair(user: FakeUser, agent: string, role: Role) {
    const pairing = await access.pair({
      channel: "telegram",
      agent,
      role,
      expiresInMinutes: 15,
      actor: "cli",
    });
    let after = fake.messagesTo(user.id).length;
    fake.userSends(user, `/start ${pairing.link.split("start=")[1]}`);
    const code = /(\d{3}) (\d{3})/.exec(await fake.nextMessageTo(user.id, { after }));
    after = fake.messagesTo(user.id).length;
    await access.confirm({ id: pairing.id, actor: "cli", code: `${code?.[1]}${code?.[2]}` });
    expect(await fake.nextMessageTo(user.id, { after })).toContain("Paired: you are");
  }

  /** The request message (the last one with buttons) sent to `user` after `after` messages. */
  const requestMessage = (user: FakeUser, after: number) =>
    waitFor(
      `a request with buttons to ${user.id}`,
      async () =>
        fake
          .sentTo(user.id)
          .slice(after)
          .findLast((message) => message.replyMarkup),
      15_000,
    );
  const buttons = (message: SentMessage | undefined) =>
    message?.replyMarkup?.inline_keyboard.flat().map((button) => `${button.text}=${button.callback_data}`);

  async function press(user: FakeUser, messageId: number, data: string) {
    return fake.answerTo(fake.userPresses(user, messageId, data));
  }

  async function auditRows(action: string) {
    const rows = await log.db.auditEvent.findMany({ where: { action }, orderBy: { id: "asc" } });
    return rows.map((row) => ({ ...row, details: JSON.parse(row.details) as Record<string, unknown> }));
  }

  beforeAll(async () => {
    log = await createTestAuditLog();
    for (const name of ["web", "db"])
      await log.db.agent.create({
        data: {
          name,
          template: "coder",
          templateSource: "builtin",
          networkProfile: "restricted",
          imageRef: "localhost/claw-openclaw-agent:latest",
          imageDigest: "unbuilt",
          lockDigest: "x",
          lockedAt: new Date(),
        },
      });
    fake = await startFakeTelegram();
    approvals = createApprovals({
      db: log.db,
      audit: log.audit,
      allowAlways: notUsed("allowAlways"),
      // What the agent was doing: its own words, so they may carry a credential.
      activityOf: async () => `exec: curl -H "Authorization: Bearer ${secret}" https://api.example.com/v1`,
    });
    await approvals.start();
    access = createAccessService({
      db: log.db,
      audit: log.audit,
      accessDir: join(log.dir, "access"),
      agents: agentOps,
      approvals,
      rateLimit: { burst: 1000, refillMs: 1 },
    });
    await access.start();
    await access.telegram.configure({ token: fake.token, apiRoot: fake.apiRoot });
    await waitFor("the bot to poll", async () => access.telegram.status().state === "running" || undefined);
    await pair(victor, "web", "viewer");
    await pair(carol, "db", "operator");
    await pair(alice, "web", "operator");
    await pair(dora, "web", "operator");
    await pair(adam, "web", "admin");
  });
  afterAll(async () => {
    await access?.close();
    approvals?.close();
    await fake?.close();
    await log?.audit.close();
    await log?.db.$disconnect();
  });

  it("asks the agent's operators with buttons, refuses a viewer's press and a revoked one's, and lets an operator allow once", async () => {
    const before = new Map(
      [victor, carol, alice, dora, adam].map((user) => [user.id, fake.sentTo(user.id).length]),
    );
    const seen = (user: FakeUser) => before.get(user.id) ?? 0;
    let settled = false;
    const held = approvals.ask({ agent: "web" }, target, 60_000).finally(() => {
      settled = true;
    });

    const toAlice = await requestMessage(alice, seen(alice));
    const toDora = await requestMessage(dora, seen(dora));
    const toAdam = await requestMessage(adam, seen(adam));
    const id = /(ap-[a-z2-7]{10}): answer within 60 s, or it is refused\.$/.exec(toAlice.text)?.[1] ?? "";
    expect(id, toAlice.text).not.toBe("");
    expect(toAlice.text).toBe(
      `web wants api.example.com:443 (CONNECT) — asked 1× — exec: curl -H "Authorization: Bearer [redacted]" https://api.example.com/v1\n${id}: answer within 60 s, or it is refused.`,
    );
    expect(buttons(toAlice)).toEqual([
      `Allow once=ap:${id}:once`,
      `Allow 10 min=ap:${id}:m10`,
      `Deny=ap:${id}:deny`,
    ]);
    expect(toAdam.text).toBe(toAlice.text);
    // The viewer and the operator of another agent hear nothing of it.
    expect(fake.sentTo(victor.id).length).toBe(seen(victor));
    expect(fake.sentTo(carol.id).length).toBe(seen(carol));
    // The credential in the agent's activity never reached the Bot API; taking it out was audited.
    expect(JSON.stringify(fake.sent)).not.toContain(secret);
    expect((await auditRows("telegram_reply_redacted")).length).toBeGreaterThanOrEqual(3);

    // A viewer's forged press (their client sends the data under a message of their own) is refused, audited.
    const victorsLast = fake.sentTo(victor.id).at(-1);
    const refused = await press(victor, victorsLast?.messageId ?? 0, `ap:${id}:once`);
    expect(refused.text).toBe("Your role on web (viewer) cannot decide approvals; an operator or admin can.");
    expect(fake.message(victor.id, victorsLast?.messageId ?? 0)?.text).toBe(victorsLast?.text);
    const refusals = await auditRows("approval_decide_refused");
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatchObject({
      category: "approval",
      actor: `telegram:${victor.id}`,
      agent: "web",
      outcome: "denied",
      details: { approval: id, choice: "once", role: "viewer", reason: "role", needs: "operator" },
    });

    // Dora's access is revoked after she got the request: her press is read against her grants now.
    await access.revoke({ channel: "telegram", agent: "web", subjectId: String(dora.id), actor: "cli" });
    const unpaired = await press(dora, toDora.messageId, `ap:${id}:deny`);
    expect(unpaired.text).toBeUndefined();
    const unpairedRefusals = (await auditRows("telegram_message_refused")).filter(
      (row) => row.actor === `telegram:${dora.id}`,
    );
    expect(unpairedRefusals).toEqual([
      expect.objectContaining({
        outcome: "denied",
        details: expect.objectContaining({ reason: "no grant", press: `ap:${id}:deny` }),
      }),
    ]);
    expect((await log.db.approval.findUniqueOrThrow({ where: { id } })).status).toBe("pending");
    expect(settled).toBe(false);

    // The operator allows it once: the held connection goes through, and every message says so.
    const allowed = await press(alice, toAlice.messageId, `ap:${id}:once`);
    expect(allowed.text).toBe("Allowed once by @alice");
    expect(await held).toEqual({
      allowed: true,
      approval: id,
      rule: `approval ${id} (once)`,
    });
    const closed = `web wants api.example.com:443 (CONNECT) — asked 1× — exec: curl -H "Authorization: Bearer [redacted]" https://api.example.com/v1\n\nAllowed once by @alice`;
    await waitFor(
      "alice's message to be edited",
      async () => fake.message(alice.id, toAlice.messageId)?.text === closed || undefined,
      15_000,
    );
    expect(fake.message(alice.id, toAlice.messageId)?.replyMarkup).toBeUndefined();
    await waitFor(
      "adam's message to be edited",
      async () => fake.message(adam.id, toAdam.messageId)?.text === closed || undefined,
      15_000,
    );
    expect(fake.message(adam.id, toAdam.messageId)?.replyMarkup).toBeUndefined();
    // Each message edited once: the press's own edit and the decision's notice do not both touch alice's.
    expect(fake.edits.filter((edit) => edit.chatId === String(alice.id))).toHaveLength(1);

    const decided = await auditRows("approval_decided");
    expect(decided).toHaveLength(1);
    expect(decided[0]).toMatchObject({
      actor: `telegram:${alice.id}`,
      agent: "web",
      outcome: "ok",
      details: { approval: id, decision: "once", channel: "telegram", held: 1 },
    });
    expect(await log.db.approval.findUniqueOrThrow({ where: { id } })).toMatchObject({
      status: "allowed",
      decidedBy: `telegram:${alice.id}`,
      channel: "telegram",
    });

    // A stale button (a client that had not seen the edit yet) says what happened, and decides nothing.
    const stale = await press(adam, toAdam.messageId, `ap:${id}:deny`);
    expect(stale.text).toBe("Already decided: Allowed once by @alice");
    expect(await auditRows("approval_decided")).toHaveLength(1);
  });

  it("says a request expired, and lets an operator allow it for 10 minutes late so the next try goes through", async () => {
    const after = fake.sentTo(alice.id).length;
    const other = { ...target, host: "files.example.org" };
    const held = approvals.ask({ agent: "web" }, other, 2000);
    const toAlice = await requestMessage(alice, after);
    const id = /(ap-[a-z2-7]{10}):/.exec(toAlice.text)?.[1] ?? "";
    expect(await held).toMatchObject({ allowed: false, approval: id });

    const expired = await waitFor(
      "the request's message to say it expired",
      async () => {
        const now = fake.message(alice.id, toAlice.messageId);
        return now?.text.includes("Expired:") ? now : undefined;
      },
      15_000,
    );
    expect(expired.text).toContain(
      "\n\nExpired: nobody answered within 2 s. Allowing it now lets the agent's next try through.",
    );
    expect(expired.replyMarkup?.inline_keyboard.flat().map((button) => button.callback_data)).toEqual([
      `ap:${id}:m10`,
    ]);

    // Allow once is no use to a connection that is gone.
    expect((await press(alice, toAlice.messageId, `ap:${id}:once`)).text).toMatch(
      /^Already decided: Expired:/,
    );
    const late = await press(alice, toAlice.messageId, `ap:${id}:m10`);
    expect(late.text).toBe("Allowed for 10 min by @alice");
    await waitFor(
      "the message to say it was allowed",
      async () =>
        fake.message(alice.id, toAlice.messageId)?.text.endsWith("\n\nAllowed for 10 min by @alice") ||
        undefined,
      15_000,
    );
    const grant = await log.db.egressGrant.findFirstOrThrow({ where: { approvalId: id } });
    expect(grant).toMatchObject({ kind: "minutes", host: other.host, createdBy: `telegram:${alice.id}` });
    // The agent's next try is let through by the grant, with nobody asked.
    const sentBefore = fake.sent.length;
    expect(await approvals.ask({ agent: "web" }, other, 2000)).toMatchObject({
      allowed: true,
      grant: grant.id,
    });
    expect(fake.sent.length).toBe(sentBefore);
  });
});
