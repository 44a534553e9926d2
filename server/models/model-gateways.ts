import type { AuditLog } from "../audit/audit-log";
import type { Db } from "../db/client";
import type { ModelRoute } from "../policy/model-route";
import type { SecretStore } from "../secrets/secret-store";
import {
  type ModelGateway,
  type ModelRequestReport,
  type ResolvedRoute,
  startModelGateway,
} from "./model-gateway";
import { startOfToday } from "./model-usage";

/** Who is calling: an agent (`agent:NAME`) or a job (`job:ID`). */
export type ModelCaller = { agent: string } | { job: string };

export const subjectOf = (caller: ModelCaller) =>
  "agent" in caller ? `agent:${caller.agent}` : `job:${caller.job}`;

/**
 * The panel's model gateways, one per running agent or job, by subject. Each request is metered into
 * `model_requests`, audited (category `model`; never the prompt or the key) and held to the route's
 * budget: tokens per day (counted from the database, so a restart forgets nothing) and requests per
 * minute.
 */
export type ModelGateways = ReturnType<typeof createModelGateways>;

export function createModelGateways(deps: {
  db: Db;
  audit: AuditLog;
  secrets: SecretStore;
  overrides: ReadonlyMap<string, string>;
}) {
  const gateways = new Map<string, { key: string; gateway: Promise<ModelGateway> }>();
  /** Tokens used today per subject, read from the database once a day and counted on from there. */
  const today = new Map<string, { since: number; tokens: number }>();
  const recent = new Map<string, number[]>();

  async function tokensToday(caller: ModelCaller): Promise<number> {
    const subject = subjectOf(caller);
    const since = startOfToday().getTime();
    const known = today.get(subject);
    if (known && known.since === since) return known.tokens;
    const sum = await deps.db.modelRequest.aggregate({
      where: { subject, at: { gte: new Date(since) } },
      _sum: { inputTokens: true, outputTokens: true },
    });
    const tokens = (sum._sum.inputTokens ?? 0) + (sum._sum.outputTokens ?? 0);
    today.set(subject, { since, tokens });
    return tokens;
  }

  async function admit(caller: ModelCaller, route: ResolvedRoute) {
    const { tokensPerDay, requestsPerMinute } = route.budget;
    const who = "agent" in caller ? `agent ${caller.agent}` : `job ${caller.job}`;
    if (tokensPerDay !== null) {
      const used = await tokensToday(caller);
      // Not a 429: clients retry those with backoff, and this lasts until midnight.
      if (used >= tokensPerDay)
        return {
          status: 403,
          message: `claw model gateway: ${who} has used its budget of ${tokensPerDay} tokens for today (${used} used); it resets at midnight, or a person can raise openclaw.model.budget.tokensPerDay in its template`,
        };
    }
    if (requestsPerMinute !== null) {
      const subject = subjectOf(caller);
      const now = Date.now();
      const window = (recent.get(subject) ?? []).filter((at) => now - at < 60_000);
      if (window.length >= requestsPerMinute) {
        recent.set(subject, window);
        return {
          status: 429,
          message: `claw model gateway: ${who} may send ${requestsPerMinute} model requests a minute; wait a moment and try again`,
        };
      }
      window.push(now);
      recent.set(subject, window);
    }
    return undefined;
  }

  function record(caller: ModelCaller, report: ModelRequestReport) {
    const subject = subjectOf(caller);
    const agent = "agent" in caller ? caller.agent : null;
    const job = "job" in caller ? caller.job : null;
    const known = today.get(subject);
    if (known && known.since === startOfToday().getTime())
      known.tokens += report.inputTokens + report.outputTokens;
    else today.delete(subject);
    // The usage row and its audit event commit together: one write, and never one without the other.
    void deps.audit
      .transaction(async (tx, audit) => {
        await tx.modelRequest.create({
          data: {
            subject,
            agent,
            job,
            provider: report.provider,
            model: report.model,
            status: report.status,
            outcome: report.outcome,
            inputTokens: report.inputTokens,
            outputTokens: report.outputTokens,
            durationMs: report.durationMs,
          },
        });
        await audit({
          category: "model",
          action: "model_request",
          actor: subject,
          agent,
          outcome: report.outcome,
          details: { ...(job ? { job } : {}), ...report },
        });
      })
      .catch((error: Error) =>
        console.error(`claw: could not record ${subject}'s model request: ${error.message}`),
      );
  }

  const close = async (subject: string) => {
    const entry = gateways.get(subject);
    gateways.delete(subject);
    await (await entry?.gateway.catch(() => undefined))?.close();
  };

  return {
    /**
     * Starts the caller's gateway on `socketPath` (or keeps the one running there). `route` is read per
     * request, so a setting or a key changed in the panel applies to the next call.
     */
    async ensure(
      caller: ModelCaller,
      socketPath: string,
      route: () => Promise<ModelRoute | undefined>,
      options: {
        /**
         * The caller's own credential, in place of the route's secret (jobs: the API key, else the
         * panel's OAuth login); `{ missing }` says why there is none and how to fix it.
         */
        credential?: () => Promise<string | { missing: string } | undefined>;
      } = {},
    ) {
      const subject = subjectOf(caller);
      const existing = gateways.get(subject);
      if (existing?.key === socketPath) {
        await existing.gateway;
        return;
      }
      // Recorded before the first await: an ensure or close that comes meanwhile finds this gateway,
      // so two ensures at once (a start and the status sweep) cannot both listen, one never closed.
      const previous = existing?.gateway.catch(() => undefined).then((old) => old?.close());
      const gateway = (async () => {
        await previous;
        return startModelGateway({
          label: "agent" in caller ? `agent ${caller.agent}` : `job ${caller.job}`,
          socketPath,
          route: async () => {
            const current = await route();
            if (!current) return undefined;
            if (options.credential) {
              const own = await options.credential();
              return typeof own === "object"
                ? { ...current, credential: undefined, missingCredential: own.missing }
                : { ...current, credential: own };
            }
            return {
              ...current,
              credential: current.secret ? await deps.secrets.read(current.secret) : undefined,
            };
          },
          admit: (resolved) => admit(caller, resolved),
          onDone: (report) => record(caller, report),
          explainInChat: "agent" in caller,
          overrides: deps.overrides,
        });
      })();
      gateways.set(subject, { key: socketPath, gateway });
      gateway.catch(() => {
        if (gateways.get(subject)?.gateway === gateway) gateways.delete(subject);
      });
      await gateway;
    },
    close,
    async closeAll() {
      await Promise.all([...gateways.keys()].map(close));
    },
    running: () => [...gateways.keys()],
  };
}
