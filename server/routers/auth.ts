import { z } from "zod";
import { actorLabel } from "../auth/actor";
import { endSession, listSessions } from "../auth/sessions";
import { AppError } from "../errors";
import { protectedProcedure, router } from "../trpc/init";

const sessionId = z.string().regex(/^[0-9a-f]{64}$/, "Not a session id");

export const authRouter = router({
  /** Who the panel thinks you are (login and logout are plain POSTs: they set the cookie). */
  whoami: protectedProcedure.query(({ ctx }) => ({ actor: actorLabel(ctx.actor), kind: ctx.actor.kind })),

  /** Browser sessions that can use the panel now; `current` marks the caller's own. */
  sessions: protectedProcedure.query(async ({ ctx }) => {
    const current = ctx.actor.kind === "panel" ? ctx.actor.sessionId : undefined;
    return (await listSessions(ctx.db)).map((session) => ({ ...session, current: session.id === current }));
  }),

  revokeSession: protectedProcedure.input(z.object({ id: sessionId })).mutation(async ({ ctx, input }) => {
    const revoked = await ctx.audit.transaction(async (tx, record) => {
      if (!(await endSession(tx, input.id))) return false;
      await record({
        category: "access",
        action: "session_revoked",
        actor: actorLabel(ctx.actor),
        outcome: "ok",
        details: { session: input.id.slice(0, 12) },
      });
      return true;
    });
    if (!revoked) throw new AppError("NOT_FOUND", "That session has already ended");
    return { revoked: input.id, wasCurrent: ctx.actor.kind === "panel" && ctx.actor.sessionId === input.id };
  }),
});
