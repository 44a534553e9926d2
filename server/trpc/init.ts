import { initTRPC, TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import { ZodError } from "zod";
import { type AppErrorCode, appErrorOf, isAppError } from "../errors";
import type { TrpcContext } from "./context";

const trpcCodeOf: Record<AppErrorCode, TRPC_ERROR_CODE_KEY> = {
  BAD_REQUEST: "BAD_REQUEST",
  UNAUTHORIZED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  PRECONDITION_FAILED: "PRECONDITION_FAILED",
  TOO_MANY_REQUESTS: "TOO_MANY_REQUESTS",
  UNAVAILABLE: "SERVICE_UNAVAILABLE",
  INTERNAL: "INTERNAL_SERVER_ERROR",
};

const t = initTRPC.context<TrpcContext>().create({
  /** The one place errors become what a client sees: a message, a fix, never a stack. */
  errorFormatter({ shape, error }) {
    const app = isAppError(error.cause) ? error.cause : undefined;
    const hidden = error.code === "INTERNAL_SERVER_ERROR" && app === undefined;
    const issues =
      error.cause instanceof ZodError
        ? error.cause.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }))
        : undefined;
    return {
      message: hidden ? "Internal error; the panel's log has the details" : shape.message,
      code: shape.code,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        fix: app?.fix,
        issues,
      },
    };
  },
});

/** Services throw AppError; this turns it into the matching tRPC error (and HTTP status). */
const mapAppErrors = t.middleware(async ({ ctx, next }) => {
  const result = await next();
  // A full disk anywhere (a session, an agent's row, a file) is said as such, with the fix.
  const cause = result.ok ? undefined : appErrorOf(result.error.cause, ctx.paths.home);
  if (cause) throw new TRPCError({ code: trpcCodeOf[cause.code], message: cause.message, cause });
  return result;
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** The HTTP gate already refused anonymous calls; this is the second lock on the same door. */
export const protectedProcedure = t.procedure.use(mapAppErrors).use(({ ctx, next }) => {
  if (!ctx.actor) throw new TRPCError({ code: "UNAUTHORIZED", message: "Log in first" });
  return next({ ctx: { ...ctx, actor: ctx.actor } });
});
