import { z } from "zod";
import { AppError } from "../errors";
import { listTemplates } from "../policy/load-templates";
import { dnsLabel } from "../policy/template-schema";
import { protectedProcedure, router } from "../trpc/init";

export const templatesRouter = router({
  list: protectedProcedure.query(async ({ ctx }) =>
    (await listTemplates(ctx.paths.templates)).map((template) => ({
      name: template.name,
      source: template.source,
      overrides: template.overrides ?? false,
      description: template.template?.metadata.description ?? null,
      network: template.template?.container.network.profile ?? null,
      problems: template.problems ?? [],
    })),
  ),

  show: protectedProcedure.input(z.object({ name: dnsLabel })).query(async ({ ctx, input }) => {
    const found = (await listTemplates(ctx.paths.templates)).find((template) => template.name === input.name);
    if (!found) throw new AppError("NOT_FOUND", `No template named "${input.name}"`);
    return { name: found.name, source: found.source, text: found.text, problems: found.problems ?? [] };
  }),

  /** What an agent made from this template would get: both artifacts and the explanation. */
  preview: protectedProcedure
    .input(z.object({ template: dnsLabel, agent: z.string().max(40).default("") }))
    .query(({ ctx, input }) => ctx.agents.preview(input.template, input.agent)),
});
