// The real grammY bot, the real access service, a real SQLite file and audit log, against the fake
// Bot API on loopback. Agent and job operations are recorded stand-ins here: test/access.test.ts
// drives the same commands against the real panel and a real container.
// One file (over 600 lines) on purpose: every case shares the set-up, pair and ask helpers below,
// and together they read as the Telegram channel's whole story, pairing to redaction.
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeTelegram, type FakeUser, startFakeTelegram } from "../../test/fake-telegram";
import type { AgentLiveStatus } from "../agents/agent-status";
import { createTestAuditLog, type TestAuditLog } from "../audit/audit-test-log";
import type { AgentOps } from "./access-commands";
import { type AccessService, createAccessService } from "./access-service";
import type { KnownSecret } from "./redact-secrets";
import type { Role } from "./roles";

const alice: FakeUser = { id: 1001, username: "alice" };
const bob: FakeUser = { id: 1002, username: "bob" };
const carol: FakeUser = { id: 1003, firstName: "Carol" };

type Setup = {
  log: TestAuditLog;
  fake: FakeTelegram;
  access: AccessService;
  calls: string[];
};
let current: Setup | undefined;

afterEach(async () => {
  if (!current) return;
  await current.access.close();
  await current.fake.close();
  await current.log.audit.close();
  await current.log.db.$disconnect();
  current = undefined;
});

const running: AgentLiveStatus = {
  state: "running",
  ready: true,
  containerId: "c0ffee",
  startedAt: "2026-11-21T10:00:00.000Z",
  exitCode: null,
  cpuPercent: 1.5,
  memoryBytes: 150 * 2 ** 20,
  note: null,
};

async function waitUntil(what: string, probe: () => boolean | Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Tests send many commands at once; only the rate-limit test keeps a limit. */
async function setup(
  options: {
    rateLimit?: { burst: number; refillMs: number };
    /** What the panel says it holds; the bot token is added by the access service itself. */
    secrets?: KnownSecret[];
    logLines?: string[];
  } = {},
): Promise<Setup> {
  const secrets = options.secrets ?? [];
  const agents = ["web", "db"];
  const log = await createTestAuditLog();
  for (const name of agents)
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
  const fake = await startFakeTelegram();
  const calls: string[] = [];
  let jobs = 0;
  const ops: AgentOps = {
    status: (name) => (agents.includes(name) ? running : null),
    start: async (name, actor) => calls.push(`start ${name} ${actor}`),
    stop: async (name, actor) => calls.push(`stop ${name} ${actor}`),
    logs: async (name, lines) => {
      calls.push(`logs ${name} ${lines}`);
      return (
        options.logLines ?? [
          "2026-11-21T10:00:01.123456789Z \u001b[32mgateway\u001b[39m listening",
          "plain line\u0007",
        ]
      );
    },
    startJob: async (input, actor) => {
      calls.push(`job ${input.sessionId ?? "new"} ${actor} ${input.prompt}`);
      jobs += 1;
      return { jobId: `j-aaaaaaaaa${jobs}`, sessionId: input.sessionId ?? "s-aaaaaaaaaa" };
    },
    sessionOpen: async () => true,
    secrets: async () => secrets,
  };
  const access = createAccessService({
    db: log.db,
    audit: log.audit,
    accessDir: join(log.dir, "access"),
    agents: ops,
    rateLimit: options.rateLimit ?? { burst: 1000, refillMs: 1 },
  });
  await access.start();
  const status = await access.telegram.configure({ token: fake.token, apiRoot: fake.apiRoot });
  expect(status).toMatchObject({
    configured: true,
    username: "claw_test_bot",
    tokenHint: `${fake.bot.id}:…ijkl`,
  });
  await waitUntil("the bot to poll", () => access.telegram.status().state === "running");
  current = { log, fake, access, calls };
  return current;
}

/** Sends as `user` and returns the bot's next reply to them. */
async function ask(fake: FakeTelegram, user: FakeUser, text: string): Promise<string> {
  const after = fake.messagesTo(user.id).length;
  fake.userSends(user, text);
  return fake.nextMessageTo(user.id, { after });
}

async function auditActions(log: TestAuditLog, actor?: string) {
  const rows = await log.db.auditEvent.findMany({ where: { actor }, orderBy: { id: "asc" } });
  return rows.map((row) => ({ ...row, details: JSON.parse(row.details) as Record<string, unknown> }));
}

/** Pairs `user` to `agent` with `role` the way a person does: link, /start, code, confirm. */
async function pair(setup: Setup, user: FakeUser, agent: string, role: Role, jobs?: boolean) {
  const pairing = await setup.access.pair({
    channel: "telegram",
    agent,
    role,
    jobs,
    expiresInMinutes: 15,
    actor: "cli",
  });
  const token = /start=pair-([A-Za-z0-9_-]{43})$/.exec(pairing.link)?.[1] ?? "";
  const reply = await ask(setup.fake, user, `/start pair-${token}`);
  const code = /(\d{3}) (\d{3})/.exec(reply);
  expect(code).not.toBeNull();
  const after = setup.fake.messagesTo(user.id).length;
  await setup.access.confirm({ id: pairing.id, actor: "panel:abc123", code: `${code?.[1]}${code?.[2]}` });
  expect(await setup.fake.nextMessageTo(user.id, { after })).toContain(`Paired: you are`);
  return { pairing, token };
}

describe("pairing over Telegram", () => {
  it("pairs through the link, the bot's code and the operator's confirmation", async () => {
    const s = await setup();
    const pairing = await s.access.pair({
      channel: "telegram",
      agent: "web",
      role: "operator",
      expiresInMinutes: 15,
      actor: "cli",
    });
    expect(pairing.link).toMatch(/^https:\/\/t\.me\/claw_test_bot\?start=pair-[A-Za-z0-9_-]{43}$/);
    // The deep-link payload fits Telegram's 64 characters of [A-Za-z0-9_-].
    expect(pairing.link.split("start=")[1]).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    const row = await s.log.db.pairing.findUniqueOrThrow({ where: { id: pairing.id } });
    expect(JSON.stringify(row)).not.toContain(pairing.token);
    expect(row.tokenHash).toMatch(/^[0-9a-f]{64}$/);

    const reply = await ask(s.fake, alice, `/start pair-${pairing.token}`);
    expect(reply).toMatch(/confirmation code: \d{3} \d{3}/);
    expect(reply).toContain('operator role on the agent "web"');
    const claimed = await s.log.db.pairing.findUniqueOrThrow({ where: { id: pairing.id } });
    expect(claimed).toMatchObject({ status: "claimed", subjectId: "1001", subjectName: "@alice" });
    expect(reply).toContain(`${claimed.code?.slice(0, 3)} ${claimed.code?.slice(3)}`);
    // Opening it again shows the same code rather than refusing its own claim.
    expect(await ask(s.fake, alice, `/start pair-${pairing.token}`)).toBe(reply);
    // Nothing is granted before the operator confirms.
    expect(await s.log.db.accessGrant.count()).toBe(0);

    // A wrong code from the CLI is refused and changes nothing.
    const wrong = claimed.code === "000000" ? "111111" : "000000";
    await expect(s.access.confirm({ id: pairing.id, actor: "cli", code: wrong })).rejects.toThrow(
      /does not match/,
    );

    const after = s.fake.messagesTo(alice.id).length;
    const grant = await s.access.confirm({ id: pairing.id, actor: "panel:abc123" });
    expect(grant).toMatchObject({ channel: "telegram", subjectId: "1001", agent: "web", role: "operator" });
    expect(await s.fake.nextMessageTo(alice.id, { after })).toContain('Paired: you are an operator on "web"');
    expect(await ask(s.fake, alice, "/status web")).toContain("web: running");

    const actions = (await auditActions(s.log)).map(
      (event) => `${event.action} ${event.actor} ${event.outcome}`,
    );
    expect(actions).toEqual(
      expect.arrayContaining([
        "telegram_pairing_initiated cli ok",
        "telegram_pairing_claimed telegram:1001 ok",
        "telegram_pairing_confirmed panel:abc123 ok",
        "telegram_command telegram:1001 ok",
      ]),
    );
  });

  it("refuses reused, unknown and expired tokens with a clear message", async () => {
    const s = await setup();
    const { token } = await pair(s, alice, "web", "viewer");
    // Used: by someone else, and by the same person after the grant.
    expect(await ask(s.fake, bob, `/start pair-${token}`)).toMatch(/^This pairing link was already used\./);
    expect(await ask(s.fake, alice, `/start pair-${token}`)).toMatch(/already used/);
    // Unknown: a well-formed token nobody issued.
    expect(await ask(s.fake, bob, `/start pair-${"A".repeat(43)}`)).toMatch(
      /^This pairing link is not valid\./,
    );

    const late = await s.access.pair({
      channel: "telegram",
      agent: "web",
      role: "admin",
      expiresInMinutes: 1,
      actor: "cli",
    });
    await s.log.db.pairing.update({
      where: { id: late.id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect(await ask(s.fake, bob, `/start pair-${late.token}`)).toMatch(
      /^This pairing link has expired\. Ask/,
    );
    await expect(s.access.confirm({ id: late.id, actor: "cli" })).rejects.toThrow(/expired/);
    expect(await s.log.db.accessGrant.count({ where: { subjectId: "1002" } })).toBe(0);

    const events = await auditActions(s.log);
    const refusals = events
      .filter((event) => event.action === "telegram_pairing_rejected")
      .map((event) => `${event.actor} ${event.details.reason} ${event.outcome}`);
    expect(refusals).toEqual([
      "telegram:1002 used denied",
      "telegram:1001 used denied",
      "telegram:1002 unknown denied",
      "telegram:1002 expired denied",
    ]);
    expect(events.filter((event) => event.action === "telegram_pairing_expired")).toHaveLength(1);
  });

  it("expires a link nobody confirmed, and tells the person who opened it", async () => {
    const s = await setup();
    const pairing = await s.access.pair({
      channel: "telegram",
      agent: "web",
      role: "viewer",
      expiresInMinutes: 5,
      actor: "cli",
    });
    await ask(s.fake, carol, `/start pair-${pairing.token}`);
    await s.log.db.pairing.update({
      where: { id: pairing.id },
      data: { expiresAt: new Date(Date.now() - 1) },
    });
    const after = s.fake.messagesTo(carol.id).length;
    await s.access.expireNow();
    expect(await s.fake.nextMessageTo(carol.id, { after })).toContain('Your pairing for "web" expired');
    expect((await s.log.db.pairing.findUniqueOrThrow({ where: { id: pairing.id } })).status).toBe("expired");
  });

  it("keeps at most a few links waiting per agent, and the operator can reject", async () => {
    const s = await setup();
    const open = [];
    for (let i = 0; i < 3; i++)
      open.push(
        await s.access.pair({
          channel: "telegram",
          agent: "web",
          role: "viewer",
          expiresInMinutes: 5,
          actor: "cli",
        }),
      );
    await expect(
      s.access.pair({ channel: "telegram", agent: "web", role: "viewer", expiresInMinutes: 5, actor: "cli" }),
    ).rejects.toThrow(/already has 3 pairing links waiting/);
    // Another agent has its own budget.
    await s.access.pair({
      channel: "telegram",
      agent: "db",
      role: "viewer",
      expiresInMinutes: 5,
      actor: "cli",
    });

    await ask(s.fake, bob, `/start pair-${open[0]?.token}`);
    const after = s.fake.messagesTo(bob.id).length;
    await s.access.reject({ id: open[0]?.id ?? "", actor: "cli" });
    expect(await s.fake.nextMessageTo(bob.id, { after })).toContain("turned down your pairing");
    expect((await s.access.reject({ id: open[1]?.id ?? "", actor: "cli" })).status).toBe("cancelled");
    await expect(s.access.confirm({ id: open[0]?.id ?? "", actor: "cli" })).rejects.toThrow(/rejected/);
    await s.access.pair({
      channel: "telegram",
      agent: "web",
      role: "viewer",
      expiresInMinutes: 5,
      actor: "cli",
    });
    await expect(
      s.access.pair({
        channel: "telegram",
        agent: "nope",
        role: "viewer",
        expiresInMinutes: 5,
        actor: "cli",
      }),
    ).rejects.toThrow(/No agent named "nope"/);
  });
});

describe("the bot's commands", () => {
  it("gives people without a grant nothing, and audits them", async () => {
    const s = await setup();
    await pair(s, alice, "web", "viewer");
    for (const text of ["/status web", "/agents", "hello", "/start", "/help"]) s.fake.userSends(bob, text);
    // Updates are handled in order: once alice has her answer, bob's messages were all handled.
    expect(await ask(s.fake, alice, "/agents")).toBe("web (viewer): running");
    expect(s.fake.messagesTo(bob.id)).toEqual([]);
    const refused = (await auditActions(s.log, "telegram:1002")).filter(
      (event) => event.action === "telegram_message_refused",
    );
    expect(refused.map((event) => [event.outcome, event.details.command])).toEqual([
      ["denied", "status"],
      ["denied", "agents"],
      ["denied", ""],
      ["denied", "start"],
      ["denied", "help"],
    ]);
    // The message text itself is not logged.
    expect(JSON.stringify(refused)).not.toContain("hello");
    // Group chats get no answer even from a paired person.
    s.fake.userSends(alice, "/status web", { type: "group", id: -5 });
    expect(await ask(s.fake, alice, "/help")).toContain("/status NAME");
    expect(s.fake.sent.filter((message) => message.chatId === "-5")).toEqual([]);
  });

  it("checks the role on each command, per agent", async () => {
    const s = await setup();
    await pair(s, alice, "web", "viewer");
    await pair(s, bob, "web", "operator");
    await pair(s, carol, "web", "admin");
    await pair(s, alice, "db", "operator");

    const viewerRefused = /needs the operator role; yours on web is viewer/;
    expect(await ask(s.fake, alice, "/agents")).toBe("db (operator): running\nweb (viewer): running");
    expect(await ask(s.fake, alice, "/status web")).toMatch(
      /^web: running\nup since 2026-11-21T10:00:00Z\nCPU 1\.5 %\nmemory 150 MiB$/,
    );
    for (const command of ["/start web", "/stop web", "/logs web"])
      expect(await ask(s.fake, alice, command)).toMatch(viewerRefused);
    expect(await ask(s.fake, alice, "/job web hi")).toBe(
      "/job NAME PROMPT needs the right to run jobs on web, which your access does not have. The panel's operator can grant it.",
    );
    expect(await ask(s.fake, alice, "/access web")).toMatch(/needs the admin role; yours on web is viewer/);
    // Her operator grant on db does not carry over to web, and works on db.
    expect(await ask(s.fake, alice, "/start db")).toBe("db started.");
    // An agent she has no grant on reads the same as one that does not exist.
    const noAccess = await ask(s.fake, bob, "/status db");
    expect(noAccess).toBe('You have no access to an agent called "db". /agents lists yours.');
    expect(await ask(s.fake, bob, "/status nothing-here")).toBe(noAccess.replace('"db"', '"nothing-here"'));

    expect(await ask(s.fake, bob, "/start web")).toBe("web started.");
    expect(await ask(s.fake, bob, "/stop web")).toBe("web stopped.");
    expect(await ask(s.fake, bob, "/logs web 5")).toBe(
      "Last 2 lines of web:\n10:00:01 gateway listening\nplain line",
    );
    expect(await ask(s.fake, bob, "/access web")).toMatch(/needs the admin role; yours on web is operator/);
    expect(await ask(s.fake, carol, "/access web")).toContain("telegram 1003 (Carol): admin");
    expect(s.calls).toEqual([
      "start db telegram:1001",
      "start web telegram:1002",
      "stop web telegram:1002",
      "logs web 5",
    ]);

    const denied = (await auditActions(s.log)).filter(
      (event) => event.action === "telegram_command" && event.outcome === "denied",
    );
    expect(denied.map((event) => `${event.actor} ${event.details.command} ${event.details.reason}`)).toEqual([
      "telegram:1001 start role",
      "telegram:1001 stop role",
      "telegram:1001 logs role",
      "telegram:1001 job no jobs right",
      "telegram:1001 access role",
      "telegram:1002 status no grant",
      "telegram:1002 status no grant",
      "telegram:1002 access role",
    ]);
  });

  it("revokes at once, from the panel or by an admin in the chat", async () => {
    const s = await setup();
    await pair(s, alice, "web", "operator");
    await pair(s, carol, "web", "admin");
    expect(await ask(s.fake, alice, "/status web")).toContain("web: running");

    const after = s.fake.messagesTo(alice.id).length;
    await s.access.revoke({ channel: "telegram", agent: "web", subjectId: "1001", actor: "cli" });
    expect(await s.fake.nextMessageTo(alice.id, { after })).toBe('Your access to "web" was revoked.');
    s.fake.userSends(alice, "/status web");
    expect(await ask(s.fake, carol, "/access web")).not.toContain("1001");
    expect(s.fake.messagesTo(alice.id)).toHaveLength(after + 1);
    const last = (await auditActions(s.log, "telegram:1001")).at(-1);
    expect(last).toMatchObject({ action: "telegram_message_refused", outcome: "denied" });

    await pair(s, bob, "web", "viewer");
    expect(await ask(s.fake, carol, "/revoke web 1002")).toBe("Revoked telegram user 1002's access to web.");
    expect(await s.log.db.accessGrant.count({ where: { subjectId: "1002" } })).toBe(0);
    const revoked = (await auditActions(s.log)).filter((event) => event.action === "access_revoked");
    expect(revoked.map((event) => `${event.actor} ${event.details.subjectId}`)).toEqual([
      "cli 1001",
      "telegram:1003 1002",
    ]);
  });

  it("rate-limits each sender, saying so once", async () => {
    const s = await setup({ rateLimit: { burst: 10, refillMs: 60_000 } });
    await pair(s, bob, "web", "viewer");
    await pair(s, alice, "web", "viewer"); // her /start pair-… takes 1 of her 10
    for (let i = 0; i < 12; i++) s.fake.userSends(alice, "/status web");
    // Updates are handled in order: bob's answer comes after all of alice's messages were handled.
    await ask(s.fake, bob, "/status web");
    const answers = s.fake.messagesTo(alice.id).slice(2);
    expect(answers).toHaveLength(10);
    expect(answers.filter((text) => text.startsWith("web: running"))).toHaveLength(9);
    expect(answers.filter((text) => text.startsWith("Too many messages"))).toHaveLength(1);
    const limited = (await auditActions(s.log, "telegram:1001")).filter(
      (event) => event.action === "telegram_rate_limited",
    );
    expect(limited).toHaveLength(1);
  });

  it("runs a job and says when it ends, continuing one conversation per person and agent", async () => {
    const s = await setup();
    await pair(s, alice, "web", "operator", true);
    expect(await ask(s.fake, alice, "/job web")).toBe("Usage: /job web PROMPT");
    expect(await ask(s.fake, alice, "/job web list the files\nplease")).toBe(
      "Job j-aaaaaaaaa1 queued. I will tell you when it ends.",
    );
    expect(await ask(s.fake, alice, "/job web and now?")).toContain("(continuing your conversation)");
    expect(s.calls).toEqual([
      "job new telegram:1001 list the files\nplease",
      "job s-aaaaaaaaaa telegram:1001 and now?",
    ]);

    // The job service records the end in the audit log; the notice follows from there.
    await s.log.db.jobSession.create({ data: { id: "s-aaaaaaaaaa", template: "default" } });
    await s.log.db.job.create({
      data: {
        id: "j-aaaaaaaaa1",
        sessionId: "s-aaaaaaaaaa",
        prompt: "list the files",
        status: "completed",
        result: JSON.stringify({ text: "README.md\nsrc/" }),
      },
    });
    const after = s.fake.messagesTo(alice.id).length;
    await s.log.audit.record({
      category: "job",
      action: "job_completed",
      actor: "system",
      outcome: "ok",
      details: { job: "j-aaaaaaaaa1", session: "s-aaaaaaaaaa", durationMs: 12_300 },
    });
    expect(await s.fake.nextMessageTo(alice.id, { after })).toBe(
      "Job j-aaaaaaaaa1 completed after 12 s.\n\nREADME.md\nsrc/",
    );
  });
});

describe("jobs from the chat: a right of its own, with a quota, and never a credential in a reply", () => {
  it("is the admins' by default, an operator's only when granted, and can be given and taken away", async () => {
    const s = await setup();
    await pair(s, alice, "web", "operator");
    await pair(s, carol, "web", "admin");
    await pair(s, bob, "web", "viewer", true);
    expect(
      (await s.log.db.accessGrant.findMany({ orderBy: { subjectId: "asc" } })).map((g) => g.jobs),
    ).toEqual([false, true, true]);
    expect(await ask(s.fake, alice, "/job web hi")).toMatch(/needs the right to run jobs on web/);
    expect(await ask(s.fake, alice, "/help")).not.toContain("/job");
    expect(await ask(s.fake, carol, "/job web hi")).toMatch(/^Job j-aaaaaaaaa1 queued\./);
    expect(await ask(s.fake, carol, "/help")).toContain("/job NAME PROMPT");
    // A viewer granted the right may run jobs (and still not start the agent).
    expect(await ask(s.fake, bob, "/job web hi")).toMatch(/^Job j-aaaaaaaaa2 queued\./);
    expect(await ask(s.fake, bob, "/start web")).toMatch(/needs the operator role/);

    const after = s.fake.messagesTo(alice.id).length;
    await s.access.setJobs({
      channel: "telegram",
      agent: "web",
      subjectId: "1001",
      jobs: true,
      actor: "cli",
    });
    expect(await s.fake.nextMessageTo(alice.id, { after })).toBe(
      'You may now run Claude Code jobs on "web" (/job web PROMPT), up to 10 an hour.',
    );
    expect(await ask(s.fake, alice, "/job web hi")).toMatch(/^Job j-aaaaaaaaa3 queued\./);
    const carolAfter = s.fake.messagesTo(carol.id).length;
    await s.access.setJobs({
      channel: "telegram",
      agent: "web",
      subjectId: "1003",
      jobs: false,
      actor: "cli",
    });
    expect(await s.fake.nextMessageTo(carol.id, { after: carolAfter })).toBe(
      'You may no longer run Claude Code jobs on "web".',
    );
    expect(await ask(s.fake, carol, "/job web hi")).toMatch(/needs the right to run jobs on web/);
    await expect(
      s.access.setJobs({ channel: "telegram", agent: "db", subjectId: "1003", jobs: true, actor: "cli" }),
    ).rejects.toThrow(/has no access to db/);

    const changes = (await auditActions(s.log)).filter((event) => event.action === "access_jobs_changed");
    expect(
      changes.map((event) => [
        event.actor,
        event.details.subjectId,
        event.details.previousJobs,
        event.details.jobs,
      ]),
    ).toEqual([
      ["cli", "1001", false, true],
      ["cli", "1003", true, false],
    ]);
    const started = (await auditActions(s.log)).filter((event) => event.action === "telegram_job_started");
    expect(started.map((event) => `${event.actor} ${event.agent} ${event.details.job}`)).toEqual([
      "telegram:1003 web j-aaaaaaaaa1",
      "telegram:1002 web j-aaaaaaaaa2",
      "telegram:1001 web j-aaaaaaaaa3",
    ]);
  });

  it("refuses the job past the grant's hourly quota, and audits the refusal", async () => {
    const s = await setup();
    await pair(s, alice, "web", "operator", true);
    const told = s.fake.messagesTo(alice.id).length;
    await s.access.setJobs({
      channel: "telegram",
      agent: "web",
      subjectId: "1001",
      jobs: true,
      jobsPerHour: 3,
      actor: "cli",
    });
    expect(await s.fake.nextMessageTo(alice.id, { after: told })).toContain("up to 3 an hour");
    for (let i = 1; i <= 3; i++) expect(await ask(s.fake, alice, `/job web job ${i}`)).toMatch(/queued/);
    expect(await ask(s.fake, alice, "/job web one more")).toMatch(
      /^\/job refused: you started 3 jobs on web in the last hour, the most your access allows is 3\. Try again in \d+ min\.$/,
    );
    expect(s.calls.filter((call) => call.startsWith("job "))).toHaveLength(3);
    const refused = (await auditActions(s.log, "telegram:1001")).filter(
      (event) => event.action === "telegram_command" && event.outcome === "denied",
    );
    expect(refused.map((event) => event.details.reason)).toEqual(["quota"]);
    // The quota is per grant: raising it lets the next one through.
    const raised = s.fake.messagesTo(alice.id).length;
    await s.access.setJobs({
      channel: "telegram",
      agent: "web",
      subjectId: "1001",
      jobs: true,
      jobsPerHour: 4,
      actor: "cli",
    });
    expect(await s.fake.nextMessageTo(alice.id, { after: raised })).toContain("up to 4 an hour");
    expect(await ask(s.fake, alice, "/job web one more")).toMatch(/queued/);
  });

  it("takes every credential the panel holds out of what the bot sends, and audits it", async () => {
    const apiKey = "sk-ant-api03-TESTKEY-abcdefghijklmnopqrstuvwxyz0123456789";
    const gatewayToken = "gw_3Kq9ZrT5vWx8yB2nM4pL6sD1fG7hJ0aQ";
    const oauth = "oauth-access-7c4d2b9e1f6a3058d7e2c1b4";
    const s = await setup({
      secrets: [
        { label: "the job API key", value: apiKey },
        { label: "the Gateway token of web", value: gatewayToken },
        { label: "the Claude OAuth credentials", value: oauth },
      ],
      logLines: [`2026-11-21T10:00:01.000000000Z OPENCLAW_GATEWAY_TOKEN=${gatewayToken}`, "a line"],
    });
    await pair(s, alice, "web", "operator", true);
    // An agent's log that holds its Gateway token.
    expect(await ask(s.fake, alice, "/logs web 2")).toBe(
      "Last 2 lines of web:\n10:00:01 OPENCLAW_GATEWAY_TOKEN=[redacted]\na line",
    );
    expect(await ask(s.fake, alice, "/job web print your key")).toMatch(/queued/);
    // A job whose answer holds the API key, the OAuth token and the bot's own token.
    await s.log.db.jobSession.create({ data: { id: "s-aaaaaaaaaa", template: "default" } });
    await s.log.db.job.create({
      data: {
        id: "j-aaaaaaaaa1",
        sessionId: "s-aaaaaaaaaa",
        prompt: "print your key",
        status: "completed",
        result: JSON.stringify({ text: `key=${apiKey}\noauth=${oauth}\nbot=${s.fake.token}` }),
      },
    });
    const after = s.fake.messagesTo(alice.id).length;
    await s.log.audit.record({
      category: "job",
      action: "job_completed",
      actor: "system",
      outcome: "ok",
      details: { job: "j-aaaaaaaaa1", session: "s-aaaaaaaaaa", durationMs: 1_000 },
    });
    const notice = await s.fake.nextMessageTo(alice.id, { after });
    expect(notice).toBe(
      "Job j-aaaaaaaaa1 completed after 1 s.\n\nkey=[redacted]\noauth=[redacted]\nbot=[redacted]",
    );
    const everything = s.fake.sent.map((message) => message.text).join("\n");
    for (const secret of [apiKey, gatewayToken, oauth, s.fake.token, s.fake.token.split(":")[1] ?? "x"])
      expect(everything).not.toContain(secret);

    const redactions = (await auditActions(s.log)).filter(
      (event) => event.action === "telegram_reply_redacted",
    );
    expect(redactions.map((event) => event.details.secrets)).toEqual([
      ["the Gateway token of web"],
      ["the job API key", "the Telegram bot token", "the Claude OAuth credentials"],
    ]);
    expect(JSON.stringify(redactions)).not.toContain(apiKey);
  });
});

describe("bot settings", () => {
  it("refuses a token the Bot API refuses, keeping the one in use", async () => {
    const s = await setup();
    await expect(
      s.access.telegram.configure({ token: `${s.fake.bot.id}:AAwrongwrongwrongwrongwrong` }),
    ).rejects.toThrow(/Telegram refused the token \(401 Unauthorized\)/);
    expect(s.access.telegram.status()).toMatchObject({ configured: true, state: "running" });
    await expect(
      s.access.telegram.configure({ token: s.fake.token, apiRoot: "http://127.0.0.1:9" }),
    ).rejects.toThrow(/Could not reach the Bot API at http:\/\/127\.0\.0\.1:9/);
    await pair(s, alice, "web", "viewer");
    expect(await ask(s.fake, alice, "/help")).toContain("/agents");
    const waiting = await s.access.pair({
      channel: "telegram",
      agent: "db",
      role: "viewer",
      expiresInMinutes: 5,
      actor: "cli",
    });
    const removed = await s.access.configureTelegram({ token: null }, "cli");
    expect(removed).toMatchObject({ configured: false, state: "off", tokenHint: null });
    // Nobody could finish a pairing without the bot: it is cancelled, not left hanging.
    expect((await s.log.db.pairing.findUniqueOrThrow({ where: { id: waiting.id } })).status).toBe(
      "cancelled",
    );
    const events = (await auditActions(s.log, "cli")).map((event) => event.action);
    expect(events.slice(-2)).toEqual(["telegram_pairing_cancelled", "telegram_bot_removed"]);
    await expect(
      s.access.pair({ channel: "telegram", agent: "web", role: "viewer", expiresInMinutes: 5, actor: "cli" }),
    ).rejects.toThrow(/The telegram bot is not set up/);
  });
});
