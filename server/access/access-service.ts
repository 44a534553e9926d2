import QRCode from "qrcode";
import type { Approvals } from "../approvals/approvals";
import type { AuditLog } from "../audit/audit-log";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import { type AgentOps, clip, handleMessage } from "./access-commands";
import { createApprovalNotices } from "./approval-notices";
import type { ChannelAdapter, ChannelHandler } from "./channel";
import { type GrantJobsChange, revokeGrant, setGrantJobs } from "./grants";
import {
  cancelOpenPairings,
  claimPairing,
  confirmPairing,
  createPairing,
  expirePairings,
  formatCode,
  type PairingRequest,
  rejectPairing,
} from "./pairings";
import { createRateLimiter } from "./rate-limiter";
import { redactSecrets } from "./redact-secrets";
import { createTelegramChannel } from "./telegram/telegram-channel";
import { readBotToken, telegramPaths } from "./telegram/telegram-settings";

const expiryCheckMs = 30_000;
const jobEndActions = ["job_completed", "job_failed", "job_cancelled"];

const refusals = {
  unknown: "This pairing link is not valid.",
  used: "This pairing link was already used.",
  expired: "This pairing link has expired.",
} as const;

/**
 * Access from outside the browser: pairing, grants and the channels that serve them. Owns the
 * channels' lifetimes, tells people what happened to their pairing, and tells them when a job they
 * started ends (found from the audit log, so jobs that end after a panel restart are told too).
 * With `approvals`, the operators and admins of an agent get its approval requests with buttons.
 */
export function createAccessService(deps: {
  db: Db;
  audit: AuditLog;
  accessDir: string;
  agents: AgentOps;
  approvals?: Approvals;
  rateLimit?: { burst: number; refillMs: number };
}) {
  const { db, audit } = deps;
  const limiter = createRateLimiter(deps.rateLimit);
  const telegram = createTelegramChannel({
    accessDir: deps.accessDir,
    redact: (subjectId, text) => redactOutgoing("telegram", subjectId, text),
  });
  const channels = new Map<string, ChannelAdapter>([[telegram.name, telegram]]);
  const notices = deps.approvals
    ? createApprovalNotices({ db, audit, approvals: deps.approvals, channels, limiter })
    : undefined;
  let jobCursor = 0;
  let checkingJobs: Promise<void> | undefined;
  let checkAgain = false;

  const channelOrThrow = (name: string) => {
    const channel = channels.get(name);
    if (!channel)
      throw new AppError("BAD_REQUEST", `No channel called ${name}`, { fix: "Channels: telegram" });
    return channel;
  };
  const tell = (channel: string, subjectId: string | null, text: string) =>
    subjectId
      ? channels
          .get(channel)
          ?.send(subjectId, text)
          .catch(() => false)
      : undefined;

  /**
   * The one gate every outgoing text passes: credentials the panel holds (read fresh each time)
   * and anything shaped like one become `[redacted]`, and each redaction is audited by label.
   */
  async function redactOutgoing(channel: string, subjectId: string, text: string): Promise<string> {
    const botToken = await readBotToken(telegramPaths(deps.accessDir));
    const secrets = [
      ...(await deps.agents.secrets()),
      ...(botToken ? [{ label: "the Telegram bot token", value: botToken }] : []),
    ];
    const redacted = redactSecrets(text, secrets);
    if (redacted.found.length > 0)
      await audit.record({
        category: "access",
        action: `${channel}_reply_redacted`,
        actor: "system",
        agent: null,
        outcome: "ok",
        details: { subjectId, secrets: redacted.found },
      });
    return redacted.text;
  }

  const handler: ChannelHandler = {
    async pair(channel, subject, token) {
      if (limiter.take(`${channel}:${subject.id}`) !== "ok")
        return "Too many messages: wait a minute and try again.";
      const outcome = await claimPairing({ db, audit }, { channel, token, subject });
      if (outcome.kind === "refused")
        return `${refusals[outcome.reason]} Ask the panel's operator for a new one.`;
      return [
        `Your confirmation code: ${formatCode(outcome.code)}`,
        `You asked for the ${outcome.role} role on the agent "${outcome.agent}"${outcome.jobs ? ", with the right to run Claude Code jobs" : ""}.`,
        "The claw panel shows the same code; once its operator confirms there, I will tell you here.",
      ].join("\n");
    },
    message: (channel, subject, command, args) =>
      handleMessage({ db, audit, agents: deps.agents, limiter }, channel, subject, command, args),
    choose: async (channel, subject, data) => notices?.choose(channel, subject, data),
  };

  async function expireNow() {
    for (const pairing of await expirePairings({ db, audit }))
      if (pairing.status === "claimed")
        void tell(
          pairing.channel,
          pairing.subjectId,
          `Your pairing for "${pairing.agent}" expired before it was confirmed.`,
        );
    limiter.prune();
  }
  const expiryTimer = setInterval(
    () => void expireNow().catch((error: Error) => console.error(`claw: pairing expiry: ${error.message}`)),
    expiryCheckMs,
  );
  expiryTimer.unref();

  /** Job ends since the cursor: whoever started the job from a channel (and still has the grant) hears of it. */
  async function tellJobEnds() {
    const rows = await db.auditEvent.findMany({
      where: { id: { gt: jobCursor }, category: "job", action: { in: jobEndActions } },
      orderBy: { id: "asc" },
      take: 100,
    });
    for (const row of rows) {
      jobCursor = row.id;
      const details = JSON.parse(row.details) as { job?: string; session?: string; durationMs?: number };
      if (!details.job || !details.session) continue;
      const grants = await db.accessGrant.findMany({ where: { jobSessionId: details.session } });
      if (grants.length === 0) continue;
      const job = await db.job.findUnique({ where: { id: details.job } });
      if (!job) continue;
      const result = job.result ? (JSON.parse(job.result) as { text?: string }) : null;
      const took = details.durationMs ? ` after ${Math.round(details.durationMs / 1000)} s` : "";
      const head =
        job.status === "failed"
          ? `Job ${job.id} failed${took}${job.errorType ? ` (${job.errorType})` : ""}: ${job.errorMessage ?? "no reason given"}`
          : `Job ${job.id} ${job.status}${took}.`;
      const text = result?.text ? `${head}\n\n${clip(result.text, 3000)}` : head;
      for (const grant of grants) void tell(grant.channel, grant.subjectId, text);
    }
    if (rows.length === 100) checkAgain = true;
  }
  function scheduleJobCheck() {
    if (checkingJobs) {
      checkAgain = true;
      return;
    }
    checkingJobs = tellJobEnds()
      .catch((error: Error) => console.error(`claw: job notices: ${error.message}`))
      .finally(() => {
        checkingJobs = undefined;
        if (checkAgain) {
          checkAgain = false;
          scheduleJobCheck();
        }
      });
  }
  let stopWatchingJobs = () => {};

  const service = {
    telegram,
    channels,

    /** Starts the channels that are configured, and the job-end watch from the log's current end. */
    async start() {
      jobCursor = (await db.auditEvent.aggregate({ _max: { id: true } }))._max.id ?? 0;
      stopWatchingJobs = audit.onAppend(scheduleJobCheck);
      notices?.start();
      // Not awaited: a Bot API that is slow to answer must not hold up the panel's start.
      for (const channel of channels.values())
        void channel
          .serve(handler)
          .catch((error: Error) => console.error(`claw: ${channel.name}: ${error.message}`));
    },

    /** A new pairing: the token goes into the returned link and is not kept anywhere. */
    async pair(input: PairingRequest) {
      const channel = channelOrThrow(input.channel);
      if (!channel.pairingLink("x"))
        throw new AppError("PRECONDITION_FAILED", `The ${input.channel} bot is not set up`, {
          fix: "Enter the bot's token on the Access page (or `claw access bot --token-stdin`).",
        });
      const pairing = await createPairing({ db, audit }, input);
      return { ...pairing, link: channel.pairingLink(pairing.token) as string };
    },

    /** A pairing as the panel shows it: the link and its QR code; the token only inside the link. */
    async pairWithQr(input: PairingRequest) {
      const { token: _token, ...pairing } = await service.pair(input);
      const qrSvg = await QRCode.toString(pairing.link, {
        type: "svg",
        errorCorrectionLevel: "M",
        margin: 2,
      });
      return { ...pairing, qrSvg };
    },

    async confirm(input: { id: string; actor: string; code?: string }) {
      const grant = await confirmPairing({ db, audit }, input);
      void tell(
        grant.channel,
        grant.subjectId,
        `Paired: you are ${/^[aeiou]/.test(grant.role) ? "an" : "a"} ${grant.role} on "${grant.agent}"${grant.jobs ? ", and may run Claude Code jobs" : ""}. Send /help to see what you can do.`,
      );
      return grant;
    },

    async reject(input: { id: string; actor: string }) {
      const pairing = await rejectPairing({ db, audit }, input);
      if (pairing.status === "rejected")
        void tell(
          pairing.channel,
          pairing.subjectId,
          `The panel's operator turned down your pairing for "${pairing.agent}".`,
        );
      return pairing;
    },

    async revoke(input: { channel: string; agent: string; subjectId: string; actor: string }) {
      const grant = await revokeGrant({ db, audit }, input);
      void tell(grant.channel, grant.subjectId, `Your access to "${grant.agent}" was revoked.`);
      return grant;
    },

    /** Gives or takes away the right to run jobs from the chat; the person is told. */
    async setJobs(input: GrantJobsChange) {
      const grant = await setGrantJobs({ db, audit }, input);
      void tell(
        grant.channel,
        grant.subjectId,
        grant.jobs
          ? `You may now run Claude Code jobs on "${grant.agent}" (/job ${grant.agent} PROMPT), up to ${grant.jobsPerHour} an hour.`
          : `You may no longer run Claude Code jobs on "${grant.agent}".`,
      );
      return grant;
    },

    /** Sets, changes or (with `token: null`) removes the bot, audited; removing it cancels its open pairings. */
    async configureTelegram(input: { token?: string | null; apiRoot?: string | null }, actor: string) {
      const status = await telegram.configure(input);
      const removed = input.token === null;
      const cancelled = removed ? await cancelOpenPairings({ db, audit }, telegram.name, actor) : 0;
      await audit.record({
        category: "access",
        action: removed ? "telegram_bot_removed" : "telegram_bot_configured",
        actor,
        outcome: "ok",
        details: {
          username: status.username,
          apiRoot: status.apiRoot,
          tokenHint: status.tokenHint,
          tokenChanged: input.token !== undefined,
          ...(removed ? { pairingsCancelled: cancelled } : {}),
        },
      });
      return status;
    },

    expireNow,

    async close() {
      clearInterval(expiryTimer);
      stopWatchingJobs();
      await notices?.close();
      await Promise.allSettled([...channels.values()].map((channel) => channel.close()));
      await checkingJobs;
    },
  };
  return service;
}
export type AccessService = ReturnType<typeof createAccessService>;
