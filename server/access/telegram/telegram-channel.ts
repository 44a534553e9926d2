import { Bot, GrammyError, HttpError } from "grammy";
import { AppError } from "../../errors";
import { commandMenu } from "../access-commands";
import type { ChannelAdapter, ChannelChoice, ChannelHandler, ChannelState, ChannelSubject } from "../channel";
import {
  readBotToken,
  readTelegramSettings,
  type TelegramPaths,
  telegramPaths,
  tokenHint,
  writeTelegramSettings,
} from "./telegram-settings";

export const telegramChannel = "telegram";
const pairingPayload = /^pair-([A-Za-z0-9_-]{43})$/;
const commandPattern = /^\/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{1,64}))?(?:\s+([\s\S]*))?$/;
const maxMessageChars = 4096;
// Telegram's limits: a press's popup text, and a button's callback data (in bytes).
const maxNoticeChars = 200;
const maxChoiceDataBytes = 64;
const pollSeconds = 25;

export type TelegramStatus = {
  configured: boolean;
  state: ChannelState;
  username: string | null;
  botId: number | null;
  apiRoot: string | null;
  tokenHint: string | null;
  error: string | null;
  /** When the state last changed, and when getUpdates last answered. */
  since: string;
  lastPollAt: string | null;
  messagesHandled: number;
};

/** A Bot API failure in words a person can act on; never the token (grammY leaves it out too). */
export function describeBotApiError(error: unknown, apiRoot: string | null): string {
  if (error instanceof GrammyError)
    return error.error_code === 401 || error.error_code === 404
      ? `Telegram refused the token (${error.error_code} ${error.description}). Check it with @BotFather.`
      : error.error_code === 409
        ? `Another program is polling this bot (409 ${error.description}). Stop it, or use another bot.`
        : `The Bot API said ${error.error_code} ${error.description}`;
  const where = apiRoot ?? "api.telegram.org";
  if (error instanceof HttpError) return `Could not reach the Bot API at ${where}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

type TelegramUser = { id: number; username?: string; first_name: string; last_name?: string };

function subjectOf(from: TelegramUser): ChannelSubject {
  return {
    id: String(from.id),
    // What they call themselves is theirs to choose: display only, and kept short.
    name: (from.username
      ? `@${from.username}`
      : [from.first_name, from.last_name].filter(Boolean).join(" ")
    ).slice(0, 64),
  };
}

function inlineKeyboard(choices: ChannelChoice[][]) {
  for (const row of choices)
    for (const choice of row)
      if (Buffer.byteLength(choice.data) > maxChoiceDataBytes)
        throw new Error(`callback data over ${maxChoiceDataBytes} bytes: ${choice.data}`);
  return {
    inline_keyboard: choices.map((row) =>
      row.map((choice) => ({ text: choice.label, callback_data: choice.data })),
    ),
  };
}

const clipTo = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/**
 * The Telegram adapter: a grammY bot on long polling inside the panel process, running while a
 * token is configured. It only speaks in private chats (in a group, others would read along).
 */
export function createTelegramChannel(options: {
  accessDir: string;
  /**
   * Every text passes through this on its way out, in `send` (replies, notices, job answers alike):
   * it returns the text with credentials taken out. If it fails, nothing is sent.
   */
  redact?: (subjectId: string, text: string) => Promise<string>;
}) {
  const paths: TelegramPaths = telegramPaths(options.accessDir);
  let bot: Bot | undefined;
  let handler: ChannelHandler | undefined;
  let username: string | null = null;
  let status: TelegramStatus = {
    configured: false,
    state: "off",
    username: null,
    botId: null,
    apiRoot: null,
    tokenHint: null,
    error: null,
    since: new Date().toISOString(),
    lastPollAt: null,
    messagesHandled: 0,
  };
  const setState = (state: ChannelState, error: string | null = null) => {
    if (status.state !== state || status.error !== error)
      status = { ...status, state, error, since: new Date().toISOString() };
  };

  async function onMessage(text: string, from: TelegramUser) {
    if (!handler) return undefined;
    const subject = subjectOf(from);
    const match = commandPattern.exec(text.trim());
    if (match?.[2] && username && match[2].toLowerCase() !== username.toLowerCase()) return undefined;
    const command = match ? (match[1] ?? "").toLowerCase() : "";
    const args = match ? (match[3] ?? "") : text;
    const token = command === "start" ? channel.parsePairingPayload(args.trim()) : undefined;
    return token
      ? handler.pair(telegramChannel, subject, token)
      : handler.message(telegramChannel, subject, command, args);
  }

  async function startBot(token: string, apiRoot: string | null) {
    // Long polls last `pollSeconds`; a request may take a little longer than that, no more.
    const next = new Bot(token, {
      client: { ...(apiRoot ? { apiRoot } : {}), timeoutSeconds: pollSeconds + 15 },
    });
    bot = next;
    // Watch getUpdates to tell "running" from "retrying" (grammY retries network errors by itself).
    next.api.config.use(async (previous, method, payload, signal) => {
      try {
        const result = await previous(method, payload, signal);
        if (method === "getUpdates" && bot === next) {
          status.lastPollAt = new Date().toISOString();
          setState("running");
        }
        return result;
      } catch (error) {
        if (method === "getUpdates" && bot === next && !signal?.aborted)
          setState("retrying", describeBotApiError(error, apiRoot));
        throw error;
      }
    });
    next.on("message", async (ctx) => {
      if (ctx.chat.type !== "private" || !ctx.from || ctx.from.is_bot) return;
      const reply = await onMessage(ctx.message.text ?? "", ctx.from);
      status.messagesHandled += 1;
      if (reply) await send(String(ctx.chat.id), reply);
    });
    // A press on a button under one of the bot's messages: answered (the app shows a spinner until
    // then), and the message is edited to say what the press did.
    next.on("callback_query", async (ctx) => {
      const query = ctx.callbackQuery;
      const message = query.message;
      if (!handler || query.data === undefined || message?.chat.type !== "private" || query.from.is_bot) {
        await ctx.answerCallbackQuery().catch(() => {});
        return;
      }
      const subject = subjectOf(query.from);
      const reply = await handler.choose(telegramChannel, subject, query.data).catch((error: Error) => {
        console.error(`claw: telegram: a button press failed: ${error.message}`);
        return { notice: "Something went wrong; the panel's log has the details.", message: undefined };
      });
      status.messagesHandled += 1;
      const notice = reply ? await outgoing(subject.id, reply.notice) : undefined;
      await ctx
        .answerCallbackQuery(notice ? { text: clipTo(notice, maxNoticeChars) } : undefined)
        .catch((error: unknown) =>
          console.error(
            `claw: telegram: could not answer a press by ${subject.id}: ${describeBotApiError(error, status.apiRoot)}`,
          ),
        );
      if (reply?.message)
        await edit(String(message.chat.id), String(message.message_id), reply.message, reply.choices);
    });
    next.catch((error) => console.error(`claw: telegram: ${describeBotApiError(error.error, apiRoot)}`));
    setState("starting");
    try {
      await next.init();
    } catch (error) {
      if (bot === next) setState("failed", describeBotApiError(error, apiRoot));
      return;
    }
    // Stopped or replaced while the Bot API answered: this bot never polls.
    if (bot !== next) return;
    username = next.botInfo.username;
    status = { ...status, username, botId: next.botInfo.id };
    // The menu is a nicety: a Bot API that lacks it must not stop the bot.
    await next.api.setMyCommands(commandMenu()).catch(() => {});
    if (bot !== next) return;
    next
      .start({
        allowed_updates: ["message", "callback_query"],
        timeout: pollSeconds,
        // The Bot API answered deleteWebhook: polling begins (the first poll may wait its full time).
        onStart: () => {
          if (bot !== next) return;
          status.lastPollAt = new Date().toISOString();
          setState("running");
        },
      })
      .then(() => {
        if (bot === next) setState("off");
      })
      .catch((error: unknown) => {
        if (bot === next) setState("failed", describeBotApiError(error, apiRoot));
      });
  }

  async function stopBot() {
    const current = bot;
    bot = undefined;
    setState("off");
    // stop() confirms the offset with one more getUpdates: bounded, so an unreachable API cannot hold up a shutdown.
    if (current?.isRunning())
      await Promise.race([
        current.stop().catch(() => {}),
        new Promise((resolve) => setTimeout(resolve, 3000).unref()),
      ]);
  }

  const serving = () => (status.state === "off" || status.state === "failed" ? undefined : bot);

  /** A text on its way out: redacted, then cut to Telegram's limit; undefined when redaction failed. */
  async function outgoing(subjectId: string, text: string): Promise<string | undefined> {
    let safe: string;
    try {
      safe = options.redact ? await options.redact(subjectId, text) : text;
    } catch (error) {
      console.error(
        `claw: telegram: not sending to ${subjectId}, redaction failed: ${(error as Error).message}`,
      );
      return undefined;
    }
    // Cut after redacting: a cut first could leave half a secret that no longer matches.
    return clipTo(safe, maxMessageChars);
  }

  /** Sends a message (with buttons, when given) and returns its id; undefined when not sent. */
  async function sendMessage(subjectId: string, text: string, choices?: ChannelChoice[][]) {
    const current = serving();
    if (!current) return undefined;
    const body = await outgoing(subjectId, text);
    if (body === undefined) return undefined;
    try {
      // In a private chat the chat id is the user's id.
      const sent = await current.api.sendMessage(subjectId, body, {
        link_preview_options: { is_disabled: true },
        ...(choices ? { reply_markup: inlineKeyboard(choices) } : {}),
      });
      return String(sent.message_id);
    } catch (error) {
      console.error(
        `claw: telegram: could not message ${subjectId}: ${describeBotApiError(error, status.apiRoot)}`,
      );
      return undefined;
    }
  }

  async function send(subjectId: string, text: string): Promise<boolean> {
    return (await sendMessage(subjectId, text)) !== undefined;
  }

  async function edit(subjectId: string, messageRef: string, text: string, choices: ChannelChoice[][] = []) {
    const current = serving();
    const messageId = Number(messageRef);
    if (!current || !Number.isSafeInteger(messageId)) return false;
    const body = await outgoing(subjectId, text);
    if (body === undefined) return false;
    try {
      await current.api.editMessageText(subjectId, messageId, body, {
        link_preview_options: { is_disabled: true },
        reply_markup: inlineKeyboard(choices),
      });
      return true;
    } catch (error) {
      // The same text twice (the press and the decision's notice both edit it) is no failure.
      if (error instanceof GrammyError && /message is not modified/i.test(error.description)) return true;
      console.error(
        `claw: telegram: could not edit message ${messageRef} to ${subjectId}: ${describeBotApiError(error, status.apiRoot)}`,
      );
      return false;
    }
  }

  /**
   * Loads the stored token and (re)starts the bot with it, or stops it when there is none. The
   * panel's start does not wait for its reload: one still reading the files when a configure (or a
   * close) begins is stale and gives way, rather than overwrite what came after it.
   */
  let generation = 0;
  async function reload() {
    const mine = ++generation;
    await stopBot();
    const settings = await readTelegramSettings(paths);
    const token = await readBotToken(paths);
    if (mine !== generation) return;
    username = settings.username;
    status = {
      ...status,
      configured: token !== undefined,
      username: settings.username,
      botId: settings.botId,
      apiRoot: settings.apiRoot,
      tokenHint: token ? tokenHint(token) : null,
      lastPollAt: null,
      messagesHandled: 0,
    };
    if (token && handler) await startBot(token, settings.apiRoot);
  }

  const channel = {
    name: telegramChannel,
    pairingLink(token: string) {
      return username ? `https://t.me/${username}?start=pair-${token}` : undefined;
    },
    parsePairingPayload(payload: string) {
      return pairingPayload.exec(payload)?.[1];
    },
    send,
    sendChoices: (subjectId: string, text: string, choices: ChannelChoice[][]) =>
      sendMessage(subjectId, text, choices),
    edit,
    async serve(next: ChannelHandler) {
      handler = next;
      await reload();
    },
    close() {
      generation++;
      return stopBot();
    },
    status: (): TelegramStatus => ({ ...status }),

    /**
     * Checks a token with getMe before keeping it, so a wrong one is refused with the reason and the
     * one in use stays. `token: null` removes the bot. A new apiRoot without a token keeps the token.
     */
    async configure(input: { token?: string | null; apiRoot?: string | null }) {
      if (input.token === null) {
        await stopBot();
        await writeTelegramSettings(paths, { apiRoot: null, username: null, botId: null }, null);
        await reload();
        return channel.status();
      }
      const current = await readTelegramSettings(paths);
      const token = input.token ?? (await readBotToken(paths));
      if (!token)
        throw new AppError("BAD_REQUEST", "No bot token is set", {
          fix: "Paste the token @BotFather gave you.",
        });
      const apiRoot = input.apiRoot === undefined ? current.apiRoot : input.apiRoot;
      const probe = new Bot(token, { client: { ...(apiRoot ? { apiRoot } : {}), timeoutSeconds: 15 } });
      const me = await probe.api.getMe().catch((error: unknown) => {
        throw new AppError(
          error instanceof GrammyError ? "BAD_REQUEST" : "UNAVAILABLE",
          describeBotApiError(error, apiRoot),
          {
            fix:
              error instanceof GrammyError
                ? "Paste the token again from @BotFather (/mybots → API Token)."
                : "Check the Bot API address and this machine's network.",
          },
        );
      });
      await writeTelegramSettings(paths, { apiRoot, username: me.username, botId: me.id }, token);
      await reload();
      return channel.status();
    },
  } satisfies ChannelAdapter & Record<string, unknown>;
  return channel;
}
export type TelegramChannel = ReturnType<typeof createTelegramChannel>;
