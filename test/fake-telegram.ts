// A fake Telegram Bot API on loopback, for driving the real grammY bot offline. It speaks the
// methods the panel's bot uses — getMe, deleteWebhook, getUpdates (long polling with offset and
// timeout), sendMessage (with inline keyboards), editMessageText, answerCallbackQuery,
// setMyCommands — as POST /bot<TOKEN>/<method> with JSON bodies, answering `{ ok, result }` or
// `{ ok: false, error_code, description }` like the real server.
// Tests play the Telegram users: `userSends` queues a message update (commands carry the
// `bot_command` entity grammY needs), `userPresses` a button's callback query; `nextMessageTo`
// waits for what the bot sends back, `answerTo` for its answer to a press.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export type FakeUser = { id: number; username?: string; firstName?: string };
export type InlineButton = { text: string; callback_data?: string };
export type ReplyMarkup = { inline_keyboard: InlineButton[][] };
export type SentMessage = {
  chatId: string;
  messageId: number;
  text: string;
  /** The buttons it was sent with, if any. */
  replyMarkup?: ReplyMarkup;
  at: number;
};
/** A message in a chat as it stands now: edits change its text and buttons. */
export type ChatMessage = { chatId: string; messageId: number; text: string; replyMarkup?: ReplyMarkup };
export type Edit = { chatId: string; messageId: number; text: string; replyMarkup?: ReplyMarkup; at: number };
export type PressAnswer = { queryId: string; text?: string; showAlert: boolean };

type Update = {
  update_id: number;
  message?: Record<string, unknown>;
  callback_query?: Record<string, unknown>;
};
type Poll = { offset: number; respond: (updates: Update[]) => void };

export type FakeTelegram = Awaited<ReturnType<typeof startFakeTelegram>>;

export async function startFakeTelegram(options: { token?: string; username?: string; botId?: number } = {}) {
  const botId = options.botId ?? 7_000_000_001;
  const token = options.token ?? `${botId}:AAFakeTokenForTestsOnly_abcdefghijkl`;
  const bot = {
    id: botId,
    is_bot: true,
    first_name: "claw test bot",
    username: options.username ?? "claw_test_bot",
  };
  let nextUpdateId = 1;
  let nextMessageId = 1;
  let updates: Update[] = [];
  let polls: Poll[] = [];
  const sent: SentMessage[] = [];
  const messages = new Map<string, ChatMessage>();
  const edits: Edit[] = [];
  const queries = new Map<string, { answer?: PressAnswer }>();
  let nextQueryId = 1;
  // Called on every message sent, edited, or press answered.
  const sentListeners = new Set<() => void>();
  const changed = () => {
    for (const listener of sentListeners) listener();
  };
  const messageKey = (chatId: string | number, messageId: number) => `${chatId}/${messageId}`;
  const calls: string[] = [];
  const sockets = new Set<Socket>();

  const pending = (offset: number) => updates.filter((update) => update.update_id >= offset);

  function deliver() {
    polls = polls.filter((poll) => {
      const ready = pending(poll.offset);
      if (ready.length === 0) return true;
      poll.respond(ready);
      return false;
    });
  }

  function reply(res: ServerResponse, status: number, body: unknown) {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  }
  const ok = (res: ServerResponse, result: unknown) => reply(res, 200, { ok: true, result });
  const fail = (res: ServerResponse, status: number, description: string) =>
    reply(res, status, { ok: false, error_code: status, description });

  /** The reply_markup a method was given, checked as the real server does (callback data 1 to 64 bytes). */
  function markupOf(body: Record<string, unknown>): ReplyMarkup | undefined | string {
    const markup = body.reply_markup as ReplyMarkup | undefined;
    if (markup === undefined) return undefined;
    if (!Array.isArray(markup.inline_keyboard)) return "Bad Request: only inline keyboards are faked";
    for (const row of markup.inline_keyboard)
      for (const button of row) {
        if (!button.text) return "Bad Request: text buttons are unallowed in the inline keyboard";
        const bytes = Buffer.byteLength(button.callback_data ?? "");
        if (bytes < 1 || bytes > 64) return "Bad Request: BUTTON_DATA_INVALID";
      }
    return markup.inline_keyboard.length > 0 ? markup : undefined;
  }
  const messageResult = (message: ChatMessage) => ({
    message_id: message.messageId,
    date: Math.floor(Date.now() / 1000),
    chat: { id: Number(message.chatId), type: "private" },
    from: bot,
    text: message.text,
    ...(message.replyMarkup ? { reply_markup: message.replyMarkup } : {}),
  });

  async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    if (!text) return {};
    if (!(req.headers["content-type"] ?? "").includes("application/json"))
      throw new Error(`the fake only reads JSON bodies, got ${req.headers["content-type"]}`);
    return JSON.parse(text) as Record<string, unknown>;
  }

  const server = createServer(async (req, res) => {
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(req.url ?? "");
    if (req.method !== "POST" || !match) return fail(res, 404, "Not Found");
    const [, given, method = ""] = match;
    calls.push(method);
    let body: Record<string, unknown>;
    try {
      body = await readBody(req);
    } catch (error) {
      return fail(res, 400, `Bad Request: ${(error as Error).message}`);
    }
    if (given !== token) return fail(res, 401, "Unauthorized");
    switch (method) {
      case "getMe":
        return ok(res, {
          ...bot,
          can_join_groups: true,
          can_read_all_group_messages: false,
          supports_inline_queries: false,
        });
      case "deleteWebhook":
      case "setMyCommands":
        return ok(res, true);
      case "getUpdates": {
        const offset = Number(body.offset ?? 0);
        // A positive offset confirms every update before it: they are gone for good.
        if (offset > 0) updates = updates.filter((update) => update.update_id >= offset);
        const limit = Number(body.limit ?? 100);
        const ready = pending(offset);
        const timeoutSeconds = Number(body.timeout ?? 0);
        if (ready.length > 0 || timeoutSeconds <= 0) return ok(res, ready.slice(0, limit));
        const poll: Poll = {
          offset,
          respond: (found) => {
            clearTimeout(timer);
            ok(res, found.slice(0, limit));
          },
        };
        const timer = setTimeout(() => {
          polls = polls.filter((candidate) => candidate !== poll);
          ok(res, []);
        }, timeoutSeconds * 1000);
        res.on("close", () => {
          clearTimeout(timer);
          polls = polls.filter((candidate) => candidate !== poll);
        });
        polls.push(poll);
        return;
      }
      case "sendMessage": {
        const chatId = String(body.chat_id ?? "");
        const text = String(body.text ?? "");
        if (!chatId || !text) return fail(res, 400, "Bad Request: chat_id and text are required");
        if (text.length > 4096) return fail(res, 400, "Bad Request: message is too long");
        const replyMarkup = markupOf(body);
        if (typeof replyMarkup === "string") return fail(res, 400, replyMarkup);
        const message: ChatMessage = { chatId, messageId: nextMessageId++, text, replyMarkup };
        messages.set(messageKey(chatId, message.messageId), message);
        sent.push({ ...message, at: Date.now() });
        changed();
        return ok(res, messageResult(message));
      }
      case "editMessageText": {
        const chatId = String(body.chat_id ?? "");
        const messageId = Number(body.message_id ?? 0);
        const text = String(body.text ?? "");
        if (!chatId || !messageId || !text)
          return fail(res, 400, "Bad Request: chat_id, message_id and text are required");
        if (text.length > 4096) return fail(res, 400, "Bad Request: MESSAGE_TOO_LONG");
        const message = messages.get(messageKey(chatId, messageId));
        if (!message) return fail(res, 400, "Bad Request: message to edit not found");
        const replyMarkup = markupOf(body);
        if (typeof replyMarkup === "string") return fail(res, 400, replyMarkup);
        // Like the real server: an edit that changes nothing is refused.
        if (message.text === text && JSON.stringify(message.replyMarkup) === JSON.stringify(replyMarkup))
          return fail(
            res,
            400,
            "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
          );
        message.text = text;
        message.replyMarkup = replyMarkup;
        edits.push({ chatId, messageId, text, replyMarkup, at: Date.now() });
        changed();
        return ok(res, messageResult(message));
      }
      case "answerCallbackQuery": {
        const queryId = String(body.callback_query_id ?? "");
        const query = queries.get(queryId);
        if (!query || query.answer)
          return fail(
            res,
            400,
            "Bad Request: query is too old and response timeout expired or query ID is invalid",
          );
        if (typeof body.text === "string" && body.text.length > 200)
          return fail(res, 400, "Bad Request: MESSAGE_TOO_LONG");
        query.answer = {
          queryId,
          ...(typeof body.text === "string" ? { text: body.text } : {}),
          showAlert: body.show_alert === true,
        };
        changed();
        return ok(res, true);
      }
      default:
        return fail(res, 404, "Not Found: method not found");
    }
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    apiRoot: `http://127.0.0.1:${port}`,
    token,
    bot,
    sent,
    calls,
    /** A private message from `user`; a leading /command gets its bot_command entity. Returns the update id. */
    userSends(
      user: FakeUser,
      text: string,
      chat: { type: "private" | "group"; id?: number } = { type: "private" },
    ) {
      const from = {
        id: user.id,
        is_bot: false,
        first_name: user.firstName ?? `User ${user.id}`,
        username: user.username,
      };
      const command = /^\/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?/.exec(text);
      const update: Update = {
        update_id: nextUpdateId++,
        message: {
          message_id: nextMessageId++,
          date: Math.floor(Date.now() / 1000),
          chat:
            chat.type === "private"
              ? { id: user.id, type: "private", first_name: from.first_name }
              : { id: chat.id ?? -100, type: "group", title: "a group" },
          from,
          text,
          ...(command ? { entities: [{ type: "bot_command", offset: 0, length: command[0].length }] } : {}),
        },
      };
      updates.push(update);
      deliver();
      return update.update_id;
    },
    /**
     * `user` presses a button under message `messageId` in their private chat, with `data` as its
     * callback data (any data: a modified client can send what it likes). Returns the query id.
     */
    userPresses(user: FakeUser, messageId: number, data: string): string {
      const message = messages.get(messageKey(user.id, messageId));
      if (!message) throw new Error(`the bot sent no message ${messageId} to ${user.id}`);
      const from = {
        id: user.id,
        is_bot: false,
        first_name: user.firstName ?? `User ${user.id}`,
        username: user.username,
      };
      const queryId = String(4_000_000_000_000 + nextQueryId++);
      queries.set(queryId, {});
      updates.push({
        update_id: nextUpdateId++,
        callback_query: {
          id: queryId,
          from,
          message: {
            ...messageResult(message),
            chat: { id: user.id, type: "private", first_name: from.first_name },
          },
          chat_instance: String(user.id * 7),
          data,
        },
      });
      deliver();
      return queryId;
    },
    /** Waits for the bot's answer to a press. */
    async answerTo(queryId: string, timeoutMs = 15_000): Promise<PressAnswer> {
      return new Promise((resolve, reject) => {
        const check = () => {
          const answer = queries.get(queryId)?.answer;
          if (!answer) return false;
          sentListeners.delete(check);
          clearTimeout(timer);
          resolve(answer);
          return true;
        };
        const timer = setTimeout(() => {
          sentListeners.delete(check);
          reject(new Error(`no answer to press ${queryId} within ${timeoutMs} ms`));
        }, timeoutMs);
        if (!check()) sentListeners.add(check);
      });
    },
    /** A message as it stands now (after any edits). */
    message: (chatId: number, messageId: number): ChatMessage | undefined => {
      const message = messages.get(messageKey(chatId, messageId));
      return message ? { ...message } : undefined;
    },
    edits,
    /** The messages sent to `chatId`, with their ids and buttons. */
    sentTo: (chatId: number): SentMessage[] => sent.filter((message) => message.chatId === String(chatId)),
    /** The next message the bot sends to `chatId` after `since` (a count of messages already seen to it). */
    async nextMessageTo(
      chatId: number,
      options: { after?: number; timeoutMs?: number } = {},
    ): Promise<string> {
      const after = options.after ?? sent.filter((message) => message.chatId === String(chatId)).length;
      const timeoutMs = options.timeoutMs ?? 15_000;
      return new Promise((resolve, reject) => {
        const check = () => {
          const mine = sent.filter((message) => message.chatId === String(chatId));
          const message = mine[after];
          if (!message) return false;
          sentListeners.delete(check);
          clearTimeout(timer);
          resolve(message.text);
          return true;
        };
        const timer = setTimeout(() => {
          sentListeners.delete(check);
          reject(
            new Error(
              `no message to ${chatId} within ${timeoutMs} ms (sent so far: ${JSON.stringify(sent.slice(-5))})`,
            ),
          );
        }, timeoutMs);
        if (!check()) sentListeners.add(check);
      });
    },
    messagesTo(chatId: number): string[] {
      return sent.filter((message) => message.chatId === String(chatId)).map((message) => message.text);
    },
    /** Whether every queued update has been confirmed (fetched with a later offset) or handed out. */
    pendingUpdates: () => updates.length,
    async close() {
      for (const poll of polls) poll.respond([]);
      polls = [];
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
