import { z } from "zod";
import { openTerminalSchema } from "../../shared/terminal-protocol";
import { actorLabel } from "../auth/actor";
import { runCommandAudited } from "../terminal/run-command";
import { protectedProcedure, router } from "../trpc/init";

export const terminalRouter = router({
  /**
   * A one-time ticket for `/ws/terminal?ticket=…` (valid 30 s, for this login only): a new
   * terminal, or a re-attach to one of this login's (after a network blip).
   */
  open: protectedProcedure.input(openTerminalSchema).mutation(async ({ ctx, input }) => {
    const owner = actorLabel(ctx.actor);
    if (input.terminalId) {
      const known = ctx.terminals.manager.list(input.agent).find((t) => t.id === input.terminalId);
      if (!known || known.owner !== owner) return { ticket: null, reason: "That terminal has ended." };
    } else {
      await ctx.agents.containerOf(input.agent); // not running: refused now, with its fix
    }
    return { ...ctx.terminals.tickets.issue({ owner, ...input }), reason: null };
  }),

  list: protectedProcedure
    .input(z.object({ agent: openTerminalSchema.shape.agent.optional() }))
    .query(({ ctx, input }) => ctx.terminals.manager.list(input.agent)),

  /** `claw exec NAME -- CMD…`: one command, no TTY, its exit code and output. */
  exec: protectedProcedure
    .input(
      z.object({
        agent: openTerminalSchema.shape.agent,
        command: z.array(z.string().max(65_536)).min(1).max(256),
      }),
    )
    .mutation(({ ctx, input }) => runCommandAudited(ctx, { ...input, actor: actorLabel(ctx.actor) })),
});
