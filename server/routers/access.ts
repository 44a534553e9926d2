import { z } from "zod";
import { jobsPerHourLimits, listGrants } from "../access/grants";
import {
  getPairingOrThrow,
  listPairings,
  maxOpenPairingsPerAgent,
  pairingExpiryMinutes,
  pairingIdPattern,
} from "../access/pairings";
import { roleDescriptions, roleSchema, roles } from "../access/roles";
import { apiRootSchema, botTokenSchema } from "../access/telegram/telegram-settings";
import { actorLabel } from "../auth/actor";
import { dnsLabel } from "../policy/template-schema";
import { protectedProcedure, router } from "../trpc/init";

const channel = z.enum(["telegram"]);
const pairingId = z.string().regex(pairingIdPattern, "a pairing id looks like p-abcdefghij");
const subjectId = z.string().regex(/^\d{1,20}$/, "a Telegram user id is a number");

export const accessRouter = router({
  /** The bot's state and the limits the pairing form needs. */
  status: protectedProcedure.query(({ ctx }) => ({
    telegram: ctx.access.telegram.status(),
    roles: roles.map((role) => ({ role, description: roleDescriptions[role] })),
    expiryMinutes: pairingExpiryMinutes,
    maxOpenPairingsPerAgent,
    jobsPerHour: jobsPerHourLimits,
  })),

  /** Checks a new token with getMe before keeping it; `token: null` removes the bot. */
  configureTelegram: protectedProcedure
    .input(z.object({ token: botTokenSchema.nullish(), apiRoot: apiRootSchema.nullish() }))
    .mutation(({ ctx, input }) => ctx.access.configureTelegram(input, actorLabel(ctx.actor))),

  /** A single-use link (and its QR code) for one person to ask for `role` on `agent`; shown once. */
  pair: protectedProcedure
    .input(
      z.object({
        channel: channel.default("telegram"),
        agent: dnsLabel,
        role: roleSchema.default("viewer"),
        /** The right to run Claude Code jobs from the chat; unset: on for admin only. */
        jobs: z.boolean().optional(),
        expiresInMinutes: z
          .number()
          .int()
          .min(pairingExpiryMinutes.min)
          .max(pairingExpiryMinutes.max)
          .default(pairingExpiryMinutes.default),
      }),
    )
    .mutation(({ ctx, input }) => ctx.access.pairWithQr({ ...input, actor: actorLabel(ctx.actor) })),

  /** Open pairings (with the code once someone opened the link), or also those that ended today. */
  pairings: protectedProcedure
    .input(
      z
        .object({ agent: dnsLabel.optional(), includeEnded: z.boolean().default(false) })
        .default({ includeEnded: false }),
    )
    .query(({ ctx, input }) => listPairings(ctx, input)),

  /** One pairing, whatever its state: the pairing page follows the one it just made. */
  pairing: protectedProcedure
    .input(z.object({ id: pairingId }))
    .query(({ ctx, input }) => getPairingOrThrow(ctx, input.id)),

  /** The operator saw the same code on both sides. `code`, when given, must match (the CLI asks for it). */
  confirm: protectedProcedure
    .input(
      z.object({
        id: pairingId,
        code: z
          .string()
          .regex(/^\d{3} ?\d{3}$/, "the code is six digits")
          .optional(),
      }),
    )
    .mutation(({ ctx, input }) => ctx.access.confirm({ ...input, actor: actorLabel(ctx.actor) })),

  /** Turns down a pairing someone opened, or cancels one nobody has opened yet. */
  reject: protectedProcedure
    .input(z.object({ id: pairingId }))
    .mutation(({ ctx, input }) => ctx.access.reject({ ...input, actor: actorLabel(ctx.actor) })),

  grants: protectedProcedure
    .input(z.object({ agent: dnsLabel.optional() }).default({}))
    .query(({ ctx, input }) => listGrants(ctx.db, input)),

  /** Gives or takes away one person's right to run jobs from the chat on an agent, and its hourly quota. */
  setJobs: protectedProcedure
    .input(
      z.object({
        channel: channel.default("telegram"),
        agent: dnsLabel,
        subjectId,
        jobs: z.boolean(),
        jobsPerHour: z.number().int().min(jobsPerHourLimits.min).max(jobsPerHourLimits.max).optional(),
      }),
    )
    .mutation(({ ctx, input }) => ctx.access.setJobs({ ...input, actor: actorLabel(ctx.actor) })),

  revoke: protectedProcedure
    .input(z.object({ channel: channel.default("telegram"), agent: dnsLabel, subjectId }))
    .mutation(({ ctx, input }) => ctx.access.revoke({ ...input, actor: actorLabel(ctx.actor) })),
});
