import { z } from "zod";
import { actorLabel } from "../auth/actor";
import { jobModelSecret } from "../jobs/job-settings";
import { parseSecretName } from "../secrets/secret-store";
import { protectedProcedure, router } from "../trpc/init";

// Names are checked by the store (parseSecretName) so the error is a sentence with a fix.
const secretName = z.object({ name: z.string().max(100) });

export const secretsRouter = router({
  /** Names, where used and when set: never a value. Secrets an agent needs but nobody set are listed too. */
  list: protectedProcedure.query(async ({ ctx }) => {
    const [stored, used] = await Promise.all([ctx.secrets.list(), ctx.agents.secretsInUse()]);
    const usedBy = (name: string) => [
      ...(used.get(name) ?? []).map((agent) => `agent ${agent}`),
      ...(name === jobModelSecret ? ["Claude Code jobs"] : []),
    ];
    const names = [
      ...new Set([...stored.map((secret) => secret.name), ...used.keys(), jobModelSecret]),
    ].sort();
    return names.map((name) => {
      const setAt = stored.find((secret) => secret.name === name)?.setAt ?? null;
      return { name, set: setAt !== null, setAt, usedBy: usedBy(name) };
    });
  }),
  set: protectedProcedure
    .input(z.object({ name: z.string().max(100), value: z.string().max(70_000) }))
    .mutation(async ({ ctx, input }) => {
      await ctx.secrets.set(parseSecretName(input.name), input.value, actorLabel(ctx.actor));
      return { ok: true };
    }),
  delete: protectedProcedure.input(secretName).mutation(async ({ ctx, input }) => ({
    deleted: await ctx.secrets.delete(parseSecretName(input.name), actorLabel(ctx.actor)),
  })),
});
