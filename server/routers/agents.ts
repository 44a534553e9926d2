import { z } from "zod";
import { agentDepsOf } from "../agents/agent-deps";
import { relockAgent, showAgentPolicy, verifyAgentPolicy } from "../agents/agent-policy";
import { createAgent } from "../agents/create-agent";
import { actorLabel } from "../auth/actor";
import { dnsLabel } from "../policy/template-schema";
import { protectedProcedure, router } from "../trpc/init";

/** Names are checked in the service too; here they are only kept short. */
const agentName = z.object({ name: z.string().min(1).max(64) });

export const agentsRouter = router({
  list: protectedProcedure.query(({ ctx }) => ctx.db.agent.findMany({ orderBy: { name: "asc" } })),

  create: protectedProcedure
    .input(z.object({ name: z.string().min(1).max(64), template: dnsLabel }))
    .mutation(({ ctx, input }) =>
      createAgent(agentDepsOf(ctx), {
        name: input.name,
        template: input.template,
        actor: actorLabel(ctx.actor),
      }),
    ),

  policy: protectedProcedure
    .input(agentName)
    .query(({ ctx, input }) => showAgentPolicy(agentDepsOf(ctx), input.name)),

  /** Verifies and records the verdict. */
  validate: protectedProcedure.input(agentName).mutation(async ({ ctx, input }) => {
    const verdict = await verifyAgentPolicy(agentDepsOf(ctx), input.name);
    await ctx.audit.record({
      category: "policy",
      action: "policy_validated",
      actor: actorLabel(ctx.actor),
      agent: input.name,
      outcome: verdict.state === "ok" ? "ok" : "error",
      details: { state: verdict.state, findings: verdict.findings.map((finding) => finding.message) },
    });
    return verdict;
  }),

  relock: protectedProcedure
    .input(agentName)
    .mutation(({ ctx, input }) => relockAgent(agentDepsOf(ctx), input.name, actorLabel(ctx.actor))),
});
