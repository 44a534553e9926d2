import { z } from "zod";
import { actorLabel } from "../auth/actor";
import { dnsLabel } from "../policy/template-schema";
import { protectedProcedure, router } from "../trpc/init";

/** Names are checked in the service too; here they are only kept short. */
const agentName = z.object({ name: z.string().min(1).max(64) });

export const agentsRouter = router({
  /** The agents with their live status (Podman is asked every few seconds, and on its events). */
  list: protectedProcedure.query(({ ctx }) => ctx.agents.list()),

  /** Looks at Podman now rather than waiting for the next sweep. */
  refresh: protectedProcedure.mutation(({ ctx }) => ctx.agents.refresh()),

  inspect: protectedProcedure.input(agentName).query(({ ctx, input }) => ctx.agents.inspect(input.name)),
  modelUsage: protectedProcedure
    .input(agentName)
    .query(({ ctx, input }) => ctx.agents.modelUsage(input.name)),

  start: protectedProcedure
    .input(agentName)
    .mutation(({ ctx, input }) => ctx.agents.start(input.name, actorLabel(ctx.actor))),

  stop: protectedProcedure
    .input(agentName.extend({ timeoutSeconds: z.number().int().min(0).max(600).optional() }))
    .mutation(({ ctx, input }) =>
      ctx.agents.stop(input.name, actorLabel(ctx.actor), { timeoutSeconds: input.timeoutSeconds }),
    ),

  restart: protectedProcedure
    .input(agentName)
    .mutation(({ ctx, input }) => ctx.agents.restart(input.name, actorLabel(ctx.actor))),

  delete: protectedProcedure
    .input(agentName.extend({ force: z.boolean().default(false) }))
    .mutation(({ ctx, input }) =>
      ctx.agents.delete(input.name, actorLabel(ctx.actor), { force: input.force }),
    ),

  /** The last lines of the agent's container output (the live tail is /ws/agents/NAME/logs). */
  logs: protectedProcedure
    .input(agentName.extend({ tail: z.number().int().min(1).max(10_000).default(1000) }))
    .query(({ ctx, input }) => ctx.agents.logs(input.name, { tail: input.tail })),

  /** Where the browser opens the agent's Control UI: its own loopback port, with the token in the fragment. */
  gateway: protectedProcedure
    .input(agentName)
    .mutation(({ ctx, input }) => ctx.agents.gatewayLink(input.name)),

  removeOrphan: protectedProcedure
    .input(z.object({ id: z.string().regex(/^[0-9a-f]{12,64}$/) }))
    .mutation(({ ctx, input }) => ctx.agents.removeOrphan(input.id, actorLabel(ctx.actor))),

  create: protectedProcedure
    .input(z.object({ name: z.string().min(1).max(64), template: dnsLabel }))
    .mutation(({ ctx, input }) =>
      ctx.agents.create({ name: input.name, template: input.template }, actorLabel(ctx.actor)),
    ),

  /** The rules the agent's proxy enforces (from its locked spec), and what the audit log holds of its egress. */
  egress: protectedProcedure.input(agentName).query(({ ctx, input }) => ctx.agents.egressView(input.name)),

  policy: protectedProcedure.input(agentName).query(({ ctx, input }) => ctx.agents.policy(input.name)),

  /** Verifies and records the verdict. */
  validate: protectedProcedure
    .input(agentName)
    .mutation(({ ctx, input }) => ctx.agents.validate(input.name, actorLabel(ctx.actor))),

  relock: protectedProcedure
    .input(agentName)
    .mutation(({ ctx, input }) => ctx.agents.relock(input.name, actorLabel(ctx.actor))),
});
