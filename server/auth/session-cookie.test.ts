import { afterEach, describe, expect, it } from "vitest";
import { createTestAuditLog, type TestAuditLog } from "../audit/audit-test-log";
import { cookieValues, parseCookies } from "./cookies";
import { createSession, findSessionFromCookieHeader, sessionCookieName } from "./sessions";

let log: TestAuditLog | undefined;
afterEach(async () => {
  await log?.audit.close();
  await log?.db.$disconnect();
});

describe("cookieValues", () => {
  it("returns every value of a name in order, without repeats, at most four", () => {
    const header = "a=1; b=2; a=3; a=1; a=4; a=5; a=6";
    expect(cookieValues(header, "a")).toEqual(["1", "3", "4", "5"]);
    expect(cookieValues(header, "b")).toEqual(["2"]);
    expect(cookieValues(undefined, "a")).toEqual([]);
    expect(parseCookies(header).get("a")).toBe("1");
  });
});

describe("findSessionFromCookieHeader", () => {
  const port = 7878;
  const name = sessionCookieName(port);

  it("finds the real session behind a planted narrower-path cookie sent first", async () => {
    log = await createTestAuditLog();
    const { secret, session } = await createSession(log.db);
    const lookup = await findSessionFromCookieHeader(
      log.db,
      `${name}=planted; other=x; ${name}=${secret}`,
      port,
    );
    expect(lookup).toEqual({ status: "valid", sessionId: session.id });
  });

  it("reports an ended session only when no value is valid, and unknown when none is a session", async () => {
    log = await createTestAuditLog();
    const old = await createSession(log.db, { now: new Date(Date.now() - 8 * 24 * 3600_000) });
    const fresh = await createSession(log.db);
    expect(
      await findSessionFromCookieHeader(log.db, `${name}=${old.secret}; ${name}=${fresh.secret}`, port),
    ).toMatchObject({
      status: "valid",
      sessionId: fresh.session.id,
    });
    expect(
      await findSessionFromCookieHeader(log.db, `${name}=junk; ${name}=${old.secret}`, port),
    ).toMatchObject({
      status: "ended",
      reason: "expired",
    });
    expect(
      await findSessionFromCookieHeader(log.db, `${name}=junk; claw_session_1=${fresh.secret}`, port),
    ).toEqual({
      status: "unknown",
    });
  });

  it("tries at most four values, so a header stuffed with copies costs four lookups", async () => {
    log = await createTestAuditLog();
    const { secret } = await createSession(log.db);
    const stuffed = [1, 2, 3, 4].map((i) => `${name}=junk-${i}`).join("; ");
    expect(await findSessionFromCookieHeader(log.db, `${stuffed}; ${name}=${secret}`, port)).toEqual({
      status: "unknown",
    });
  });
});
