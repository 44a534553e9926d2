import { afterEach, describe, expect, it } from "vitest";
import { createTestAuditLog, type TestAuditLog } from "../audit/audit-test-log";
import { sweepEndedSessions } from "./end-session";
import { createSession, findSession } from "./sessions";

let log: TestAuditLog | undefined;
afterEach(async () => {
  await log?.audit.close();
  await log?.db.$disconnect();
});

describe("ending sessions", () => {
  it("removes expired and idle sessions and records each end once", async () => {
    log = await createTestAuditLog();
    const long = new Date(Date.now() - 8 * 24 * 3600_000);
    const expired = await createSession(log.db, { now: long });
    const idle = await createSession(log.db, { now: new Date(Date.now() - 25 * 3600_000) });
    const fresh = await createSession(log.db);

    expect(await findSession(log.db, expired.secret)).toMatchObject({ status: "ended", reason: "expired" });
    expect(await findSession(log.db, idle.secret)).toMatchObject({ status: "ended", reason: "idle" });
    expect(await sweepEndedSessions(log.db, log.audit)).toBe(2);
    expect(await sweepEndedSessions(log.db, log.audit)).toBe(0);

    expect(await findSession(log.db, expired.secret)).toEqual({ status: "unknown" });
    expect(await findSession(log.db, fresh.secret)).toMatchObject({ status: "valid" });
    const events = await log.db.auditEvent.findMany({ orderBy: { id: "asc" } });
    expect(events.map((event) => [event.action, JSON.parse(event.details).reason])).toEqual([
      ["session_expired", "expired"],
      ["session_expired", "idle"],
    ]);
  });
});
