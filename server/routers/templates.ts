import { z } from "zod";
import { agentDepsOf } from "../agents/agent-deps";
import { unbuiltDigest } from "../agents/create-agent";
import { AppError } from "../errors";
import { compilePolicy } from "../policy/compile-policy";
import { explainPolicy } from "../policy/explain-policy";
import { getTemplateOrThrow, listTemplates } from "../policy/load-templates";
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
    .query(async ({ ctx, input }) => {
      const loaded = await getTemplateOrThrow(ctx.paths.templates, input.template);
      const deps = agentDepsOf(ctx);
      const agent = dnsLabel.safeParse(input.agent).success ? input.agent : "new-agent";
      const ref = loaded.template.container.image;
      const compiled = compilePolicy({
        template: loaded.template,
        agent,
        image: { ref, digest: (await deps.imageDigest(ref)) ?? unbuiltDigest },
        host: await deps.host(),
      });
      return {
        openclawConfig: compiled.openclawConfig,
        containerSpec: compiled.containerSpec,
        explanation: explainPolicy(compiled),
      };
    }),
});
