import { describe, expect, it } from "vitest";
import { sqliteFullError } from "./audit/audit-test-log";
import { AppError, appErrorOf, diskFullError, isDiskFull } from "./errors";

describe("a full disk", () => {
  it("is recognised however it arrives: the adapter's SQLITE_FULL, better-sqlite3's, the OS's", () => {
    expect(isDiskFull(sqliteFullError())).toBe(true);
    expect(isDiskFull(Object.assign(new Error("database or disk is full"), { code: "SQLITE_FULL" }))).toBe(
      true,
    );
    const enospc = Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
    expect(isDiskFull(new Error("checkpoint failed", { cause: enospc }))).toBe(true);
    expect(isDiskFull(Object.assign(new Error("quota"), { code: "EDQUOT" }))).toBe(true);
    expect(isDiskFull(new Error("Foreign key constraint violated"))).toBe(false);
    expect(isDiskFull(undefined)).toBe(false);
  });

  it("becomes one message naming CLAW_HOME, with the fix", () => {
    const error = appErrorOf(sqliteFullError(), "/srv/claw");
    expect(error).toMatchObject({
      code: "UNAVAILABLE",
      message: "The disk holding CLAW_HOME (/srv/claw) is full.",
      fix: expect.stringContaining("move CLAW_HOME to a larger disk"),
    });
    expect(diskFullError("/srv/claw").fix).toContain("df -h /srv/claw");
    const own = new AppError("CONFLICT", "a1 is not running");
    expect(appErrorOf(own, "/srv/claw")).toBe(own);
    expect(appErrorOf(new Error("boom"), "/srv/claw")).toBeUndefined();
  });
});
