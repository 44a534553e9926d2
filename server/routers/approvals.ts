import { z } from "zod";
import { approvalDecisionSchema, approvalStatuses } from "../approvals/approval-decisions";
import { actorLabel } from "../auth/actor";
import { dnsLabel, egressModes } from "../policy/template-schema";
import { protectedProcedure, router } from "../trpc/init";

const approvalId = z.string().regex(/^ap-[a-z2-7]{10}$/, "an approval id looks like ap-abcdefghij");
const grantId = z.string().regex(/^gr-[a-z2-7]{10}$/, "a grant id looks like gr-abcdefghij");

/** The inbox: requests to decide, their history, and the grants decisions left behind. */
export const approvalsRouter = router({
  list: protectedProcedure
    .input(
      z.object({
        status: z.enum(approvalStatuses).optional(),
        agent: dnsLabel.optional(),
        limit: z.number().int().min(1).max(200).default(50),
        before: approvalId.nullish(),
      }),
    )
    .query(({ ctx, input }) => ctx.approvals.list({ ...input, before: input.before ?? undefined })),

  /** How many requests wait for an answer now (the header's count). */
  pendingCount: protectedProcedure.query(({ ctx }) => ({ count: ctx.approvals.pendingCount() })),

  get: protectedProcedure
    .input(z.object({ id: approvalId }))
    .query(({ ctx, input }) => ctx.approvals.get(input.id)),

  decide: protectedProcedure
    .input(z.object({ id: approvalId, decision: approvalDecisionSchema }))
    .mutation(({ ctx, input }) =>
      ctx.approvals.decide(input.id, input.decision, {
        actor: actorLabel(ctx.actor),
        channel: ctx.actor.kind === "cli" ? "cli" : "panel",
      }),
    ),

  /** An agent's egress mode, for it alone (its own template copy), re-locked. */
  setMode: protectedProcedure
    .input(z.object({ agent: dnsLabel, mode: z.enum(egressModes) }))
    .mutation(({ ctx, input }) =>
      ctx.agents.editNetwork(
        input.agent,
        { mode: input.mode },
        actorLabel(ctx.actor),
        `egress mode set to ${input.mode}`,
      ),
    ),

  grants: protectedProcedure
    .input(z.object({ agent: dnsLabel.optional(), ended: z.boolean().default(false) }))
    .query(({ ctx, input }) => ctx.approvals.grants(input)),

  revoke: protectedProcedure.input(z.object({ id: grantId })).mutation(({ ctx, input }) =>
    ctx.approvals.revoke(input.id, {
      actor: actorLabel(ctx.actor),
      channel: ctx.actor.kind === "cli" ? "cli" : "panel",
    }),
  ),
});
