import { z } from "zod";
import { approvalDecisionSchema, approvalStatuses } from "../approvals/approval-decisions";
import { assertSafeEntries } from "../approvals/propose-agent-allowlist";
import { actorLabel } from "../auth/actor";
import { dnsLabel, egressModes, egressRule } from "../policy/template-schema";
import { protectedProcedure, router } from "../trpc/init";

const approvalId = z.string().regex(/^ap-[a-z2-7]{10}$/, "an approval id looks like ap-abcdefghij");
const grantId = z.string().regex(/^gr-[a-z2-7]{10}$/, "a grant id looks like gr-abcdefghij");
/** How far back a proposal reads: an hour to a week. */
const proposalHours = z.number().int().min(1, "at least 1 hour").max(168, "at most 168 hours (a week)");

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

  /**
   * "Propose an allowlist": the agent's egress of the last `hours` (what learn mode let through,
   * what was denied for being off the list) as entries to add, grouped where that is safe.
   */
  propose: protectedProcedure
    .input(z.object({ agent: dnsLabel, hours: proposalHours.default(24) }))
    .query(({ ctx, input }) => ctx.agents.proposeAllowlist(input.agent, input.hours)),

  /** Adds a reviewed proposal to the agent's own template copy and re-locks; optionally sets the mode too. */
  applyProposal: protectedProcedure
    .input(
      z.object({
        agent: dnsLabel,
        hours: proposalHours,
        add: z.array(egressRule).min(1, "nothing to add").max(200),
        mode: z.enum(egressModes).optional(),
      }),
    )
    .mutation(({ ctx, input }) => {
      assertSafeEntries(input.add);
      return ctx.agents.editNetwork(
        input.agent,
        { add: input.add, ...(input.mode ? { mode: input.mode } : {}) },
        actorLabel(ctx.actor),
        `proposal from the last ${input.hours} hour${input.hours === 1 ? "" : "s"}`,
      );
    }),
});
