import { z } from "zod";
import { actorLabel } from "../auth/actor";
import { imageKinds } from "../images/image-kinds";
import { protectedProcedure, router } from "../trpc/init";

export const imagesRouter = router({
  /** Claw's images in Podman, and the build running or last finished. */
  list: protectedProcedure.query(({ ctx }) => ctx.imageBuilds.list()),

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
    .query(({ ctx, input }) => ctx.imageBuilds.build(input.id)),
});
