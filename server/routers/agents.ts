import { z } from "zod";
import { agentDepsOf } from "../agents/agent-deps";
import { readContainerSpec } from "../agents/agent-files";
import {
  deleteAgent,
  ensureGatewayToken,
  inspectAgent,
  restartAgent,
  startAgent,
  stopAgent,
} from "../agents/agent-lifecycle";
import { readAgentLogs } from "../agents/agent-logs";
import { removeOrphan } from "../agents/agent-orphans";
import { relockAgent, showAgentPolicy, verifyAgentPolicy } from "../agents/agent-policy";
import { lifecycleDepsOf } from "../agents/agent-runtime";
import { createAgent } from "../agents/create-agent";
import { getAgentOrThrow } from "../agents/get-agent";
import { actorLabel } from "../auth/actor";
import { matchRule, parseRules } from "../egress/egress-rules";
import { summarizeEgress } from "../egress/egress-summary";
import { dnsLabel } from "../policy/template-schema";
import { protectedProcedure, router } from "../trpc/init";

/** Names are checked in the service too; here they are only kept short. */
const agentName = z.object({ name: z.string().min(1).max(64) });

export const agentsRouter = router({
  /** The agents with their live status (Podman is asked every few seconds, and on its events). */
  list: protectedProcedure.query(async ({ ctx }) => {
    const rows = await ctx.db.agent.findMany({ orderBy: { name: "asc" } });
    const snapshot = ctx.agents.status.snapshot();
    return {
      agents: rows.map((row) => ({ ...row, live: snapshot.agents[row.name] ?? null })),
      podman: snapshot.podman,
      orphans: snapshot.orphans,
      sweptAt: snapshot.sweptAt,
    };
  }),

  /** Looks at Podman now rather than waiting for the next sweep. */
  refresh: protectedProcedure.mutation(async ({ ctx }) => {
    await ctx.agents.status.refresh();
    return { ok: true };
  }),

  inspect: protectedProcedure.input(agentName).query(async ({ ctx, input }) => ({
    ...(await inspectAgent(lifecycleDepsOf(ctx), input.name)),
    live: ctx.agents.status.snapshot().agents[input.name] ?? null,
  })),

  start: protectedProcedure
    .input(agentName)
    .mutation(({ ctx, input }) => startAgent(lifecycleDepsOf(ctx), input.name, actorLabel(ctx.actor))),

  stop: protectedProcedure
    .input(agentName.extend({ timeoutSeconds: z.number().int().min(0).max(600).optional() }))
    .mutation(({ ctx, input }) =>
      stopAgent(lifecycleDepsOf(ctx), input.name, actorLabel(ctx.actor), {
        timeoutSeconds: input.timeoutSeconds,
      }),
    ),

  restart: protectedProcedure
    .input(agentName)
    .mutation(({ ctx, input }) => restartAgent(lifecycleDepsOf(ctx), input.name, actorLabel(ctx.actor))),

  delete: protectedProcedure
    .input(agentName.extend({ force: z.boolean().default(false) }))
    .mutation(async ({ ctx, input }) => {
      const result = await deleteAgent(lifecycleDepsOf(ctx), input.name, actorLabel(ctx.actor), {
        force: input.force,
      });
      ctx.agents.gateways.close(input.name);
      return result;
    }),

  /** The last lines of the agent's container output (the live tail is /ws/agents/NAME/logs). */
  logs: protectedProcedure
    .input(agentName.extend({ tail: z.number().int().min(1).max(10_000).default(1000) }))
    .query(({ ctx, input }) => readAgentLogs(lifecycleDepsOf(ctx), input.name, { tail: input.tail })),

  /** Where the browser opens the agent's Control UI: its own loopback port, with the token in the fragment. */
  gateway: protectedProcedure.input(agentName).mutation(async ({ ctx, input }) => {
    await getAgentOrThrow(ctx.db, input.name);
    const port = await ctx.agents.gateways.open(input.name);
    const token = await ensureGatewayToken(ctx.paths.agents, input.name);
    return { port, path: `/agents/${input.name}/gateway/`, token };
  }),

  removeOrphan: protectedProcedure
    .input(z.object({ id: z.string().regex(/^[0-9a-f]{12,64}$/) }))
    .mutation(({ ctx, input }) => removeOrphan(lifecycleDepsOf(ctx), input.id, actorLabel(ctx.actor))),

  create: protectedProcedure
    .input(z.object({ name: z.string().min(1).max(64), template: dnsLabel }))
    .mutation(({ ctx, input }) =>
      createAgent(agentDepsOf(ctx), {
        name: input.name,
        template: input.template,
        actor: actorLabel(ctx.actor),
      }),
    ),

  /** The rules the agent's proxy enforces (from its locked spec), and what the audit log holds of its egress. */
  egress: protectedProcedure.input(agentName).query(async ({ ctx, input }) => {
    await getAgentOrThrow(ctx.db, input.name);
    const { network } = await readContainerSpec(ctx.paths.agents, input.name);
    const mapped = [...ctx.agents.egress.overrides];
    return {
      profile: network.profile,
      proxied: network.egressProxy !== null,
      proxyRunning: ctx.agents.egress.running().includes(input.name),
      rules: parseRules(network.allow).map((rule) => ({
        text: rule.text,
        host: rule.wildcard ? `*.${rule.host}` : rule.host,
        ports: rule.ports,
        /** Names under this rule that CLAW_EGRESS_RESOLVE sends to a fixed address instead of DNS. */
        mapped: mapped
          .filter(([host]) => rule.ports.some((port) => matchRule([rule], host, port)))
          .map(([host, address]) => ({ host, address })),
      })),
      ...(await summarizeEgress(ctx.db, input.name)),
    };
  }),

  policy: protectedProcedure
    .input(agentName)
    .query(({ ctx, input }) => showAgentPolicy(agentDepsOf(ctx), input.name)),

  /** Verifies and records the verdict. */
  validate: protectedProcedure.input(agentName).mutation(async ({ ctx, input }) => {
    const verdict = await verifyAgentPolicy(agentDepsOf(ctx), input.name);
    await ctx.audit.record({
      category: "policy",
      action: "policy_validated",
      actor: actorLabel(ctx.actor),
      agent: input.name,
      outcome: verdict.state === "ok" ? "ok" : "error",
      details: { state: verdict.state, findings: verdict.findings.map((finding) => finding.message) },
    });
    return verdict;
  }),

  relock: protectedProcedure
    .input(agentName)
    .mutation(({ ctx, input }) => relockAgent(agentDepsOf(ctx), input.name, actorLabel(ctx.actor))),
});
