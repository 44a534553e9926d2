import { z } from "zod";
import {
  auditFilterSchema,
  getAuditEventOrThrow,
  getAuditSummary,
  listAuditEvents,
  listAuditFacets,
} from "../audit/query-audit-log";
import { verifyAndRecordAuditLog } from "../audit/verify-audit-log";
import { actorLabel } from "../auth/actor";
import { protectedProcedure, router } from "../trpc/init";

export const auditRouter = router({
  list: protectedProcedure
    .input(
      z.object({
        filter: auditFilterSchema.default({}),
        /** Keyset cursor: events older than this id (the name tRPC's infinite queries use). */
        cursor: z.number().int().positive().nullish(),
        /** Events newer than this id, oldest first (followers). */
        after: z.number().int().min(0).optional(),
        limit: z.number().int().min(1).max(200).default(50),
      }),
    )
    .query(({ ctx, input }) =>
      listAuditEvents(ctx.db, {
        filter: input.filter,
        before: input.cursor ?? undefined,
        after: input.after,
        limit: input.limit,
      }),
    ),

  get: protectedProcedure
    .input(z.object({ id: z.number().int().positive() }))
    .query(({ ctx, input }) => getAuditEventOrThrow(ctx.db, input.id)),

  facets: protectedProcedure.query(({ ctx }) => listAuditFacets(ctx.db)),

  summary: protectedProcedure.query(async ({ ctx }) => ({
    ...(await getAuditSummary(ctx.db)),
    keyId: ctx.hostKey.keyId,
    checkpointsPath: ctx.paths.auditCheckpoints,
  })),

  /** Recomputes the whole chain from disk; the verdict is itself recorded. */
  verify: protectedProcedure.mutation(({ ctx }) =>
    verifyAndRecordAuditLog({
      dbPath: ctx.paths.db,
      checkpointsPath: ctx.paths.auditCheckpoints,
      publicKey: ctx.hostKey.publicKey,
      audit: ctx.audit,
      actor: actorLabel(ctx.actor),
    }),
  ),
});
