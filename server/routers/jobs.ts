import { z } from "zod";
import { actorLabel } from "../auth/actor";
import { agentJobQuota } from "../jobs/agent-jobs";
import { jobIdPattern, sessionIdPattern } from "../jobs/job-files";
import { getJobOrThrow, listJobs, readJobOutput } from "../jobs/job-queries";
import { maxPromptChars } from "../jobs/job-queue";
import { listJobSessions } from "../jobs/job-sessions";
import { changeJobSettings, describeJobSettings, jobSettingsChangeSchema } from "../jobs/job-settings";
import { jobModelUsage } from "../models/model-usage";
import { dnsLabel } from "../policy/template-schema";
import { protectedProcedure, router } from "../trpc/init";

const jobId = z.string().regex(jobIdPattern, "a job id looks like j-abcdefghij");
const sessionId = z.string().regex(sessionIdPattern, "a session id looks like s-abcdefghij");
const statuses = ["pending", "running", "completed", "failed", "cancelled"] as const;

export const jobsRouter = router({
  start: protectedProcedure
    .input(
      z.object({
        prompt: z.string().min(1).max(maxPromptChars),
        sessionId: sessionId.optional(),
        template: dnsLabel.optional(),
      }),
    )
    .mutation(({ ctx, input }) => ctx.jobs.start(input, actorLabel(ctx.actor))),

  list: protectedProcedure
    .input(
      z.object({
        sessionId: sessionId.optional(),
        status: z.enum(statuses).optional(),
        /** Only the jobs this agent started through its agent API. */
        agent: dnsLabel.optional(),
        limit: z.number().int().min(1).max(200).default(50),
        cursor: jobId.nullish(),
      }),
    )
    .query(({ ctx, input }) => listJobs(ctx.db, ctx.jobs, { ...input, cursor: input.cursor ?? undefined })),

  /** What the agent's policy allows and how much of it is in use. */
  agentQuota: protectedProcedure
    .input(z.object({ agent: dnsLabel }))
    .query(async ({ ctx, input }) =>
      agentJobQuota(ctx.db, input.agent, await ctx.agents.jobsPolicy(input.agent)),
    ),

  get: protectedProcedure
    .input(z.object({ id: jobId }))
    .query(({ ctx, input }) => getJobOrThrow(ctx.db, ctx.jobs, input.id)),

  modelUsage: protectedProcedure
    .input(z.object({ id: jobId }))
    .query(({ ctx, input }) => jobModelUsage(ctx.db, input.id)),

  /** Stored events, paged; `/ws/jobs/ID` streams the same from any offset. */
  output: protectedProcedure
    .input(
      z.object({
        id: jobId,
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(1000).default(200),
      }),
    )
    .query(({ ctx, input }) => readJobOutput(ctx.db, ctx.jobs, input.id, input.offset, input.limit)),

  cancel: protectedProcedure
    .input(z.object({ id: jobId }))
    .mutation(({ ctx, input }) => ctx.jobs.cancel(input.id, actorLabel(ctx.actor))),

  sessions: protectedProcedure
    .input(z.object({ includeClosed: z.boolean().default(false) }).default({ includeClosed: false }))
    .query(({ ctx, input }) => listJobSessions(ctx.db, input)),

  /** Without a session: every session idle longer than `idleHours` (the settings' value unless given). */
  cleanup: protectedProcedure
    .input(
      z.object({
        sessionId: sessionId.optional(),
        idleHours: z
          .number()
          .min(0)
          .max(24 * 365)
          .optional(),
        removeWorkspace: z.boolean().default(false),
      }),
    )
    .mutation(({ ctx, input }) => ctx.jobs.cleanup({ ...input, actor: actorLabel(ctx.actor) })),

  /** Settings and which secrets are set (never their values). */
  settings: protectedProcedure.query(({ ctx }) => describeJobSettings(ctx.jobs.paths)),

  /** A secret given as null is removed; one left out is kept. */
  configure: protectedProcedure
    .input(jobSettingsChangeSchema)
    .mutation(({ ctx, input }) =>
      changeJobSettings({ paths: ctx.jobs.paths, audit: ctx.audit }, input, actorLabel(ctx.actor)),
    ),
});
