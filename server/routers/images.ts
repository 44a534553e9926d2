import { z } from "zod";
import { actorLabel } from "../auth/actor";
import { imageKinds } from "../images/image-kinds";
import { listClawImages } from "../images/list-images";
import { protectedProcedure, router } from "../trpc/init";

export const imagesRouter = router({
  /** Claw's images in Podman, and the build running or last finished. */
  list: protectedProcedure.query(async ({ ctx }) => {
    const { docker } = await ctx.podman.get();
    return { images: await listClawImages(docker), ...ctx.imageBuilds.current() };
  }),

  build: protectedProcedure
    .input(
      z.object({ image: z.enum(imageKinds).default("openclaw-agent"), noCache: z.boolean().default(false) }),
    )
    .mutation(({ ctx, input }) =>
      ctx.imageBuilds.start({ image: input.image, noCache: input.noCache, actor: actorLabel(ctx.actor) }),
    ),

  /** For followers (the page and `claw images build`): the build with this id, running or done. */
  buildStatus: protectedProcedure
    .input(z.object({ id: z.number().int().positive() }))
    .query(({ ctx, input }) => {
      const { running, last } = ctx.imageBuilds.current();
      return [running, last].find((build) => build?.id === input.id) ?? null;
    }),
});
