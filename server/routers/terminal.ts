import { z } from "zod";
import { runningContainerId } from "../agents/agent-lifecycle";
import { lifecycleDepsOf } from "../agents/agent-runtime";
import { actorLabel } from "../auth/actor";
import { runInContainer } from "../terminal/run-command";
import { protectedProcedure, router } from "../trpc/init";

const agent = z.string().min(1).max(64);
const size = { cols: z.number().int().min(2).max(1000), rows: z.number().int().min(2).max(500) };

export const terminalRouter = router({
  /**
   * A one-time ticket for `/ws/terminal?ticket=…` (valid 30 s, for this login only): a new
   * terminal, or a re-attach to one of this login's (after a network blip).
   */
  open: protectedProcedure
    .input(
      z.object({
        agent,
        profile: z.enum(["shell", "tui", "openclaw"]).default("shell"),
        args: z.array(z.string().max(4096)).max(64).default([]),
        terminalId: z.string().max(32).optional(),
        ...size,
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const owner = actorLabel(ctx.actor);
      if (input.terminalId) {
        const known = ctx.terminals.manager.list(input.agent).find((t) => t.id === input.terminalId);
        if (!known || known.owner !== owner) return { ticket: null, reason: "That terminal has ended." };
      } else {
        await runningContainerId(lifecycleDepsOf(ctx), input.agent);
      }
      return { ...ctx.terminals.tickets.issue({ owner, ...input }), reason: null };
    }),

  list: protectedProcedure
    .input(z.object({ agent: agent.optional() }))
    .query(({ ctx, input }) => ctx.terminals.manager.list(input.agent)),

  /** `claw exec NAME -- CMD…`: one command, no TTY, its exit code and output. */
  exec: protectedProcedure
    .input(z.object({ agent, command: z.array(z.string().max(65_536)).min(1).max(256) }))
    .mutation(async ({ ctx, input }) => {
      const deps = lifecycleDepsOf(ctx);
      const containerId = await runningContainerId(deps, input.agent);
      const started = Date.now();
      const result = await runInContainer(await deps.docker(), containerId, input.command);
      await ctx.audit.record({
        category: "terminal",
        action: "command_executed",
        actor: actorLabel(ctx.actor),
        agent: input.agent,
        outcome: result.exitCode === 0 ? "ok" : "error",
        details: {
          command: input.command.map((arg) => arg.slice(0, 200)),
          exitCode: result.exitCode,
          durationMs: Date.now() - started,
        },
      });
      return result;
    }),
});
