import { describe, expect, it } from "vitest";
import { sqliteFullError } from "../audit/audit-test-log";
import { AppError } from "../errors";
import type { TrpcContext } from "./context";
import { createCallerFactory, protectedProcedure, router } from "./init";

const home = "/srv/claw-home";
const testRouter = router({
  full: protectedProcedure.mutation(() => {
    throw sqliteFullError();
  }),
  refused: protectedProcedure.mutation(() => {
    throw new AppError("CONFLICT", "web is already running", { fix: "claw agents restart web" });
  }),
  broken: protectedProcedure.mutation(() => {
    throw new Error("a bug's own words");
  }),
});
const caller = createCallerFactory(testRouter)({
  paths: { home },
  actor: { kind: "cli" },
} as unknown as TrpcContext);

describe("errors from procedures", () => {
  it("say a full disk as such, with the fix, wherever the write failed", async () => {
    await expect(caller.full()).rejects.toMatchObject({
      code: "SERVICE_UNAVAILABLE",
      message: expect.stringContaining(`The disk holding CLAW_HOME (${home}) is full.`),
    });
  });

  it("keep an AppError's code and words, and leave anything else to the formatter", async () => {
    await expect(caller.refused()).rejects.toMatchObject({
      code: "CONFLICT",
      message: "web is already running",
    });
    await expect(caller.broken()).rejects.toMatchObject({ code: "INTERNAL_SERVER_ERROR" });
  });
});
