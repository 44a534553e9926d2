/** Someone on a channel, by the channel's own id for them (a Telegram user id, say). */
export type ChannelSubject = { id: string; name?: string };

/** A button under a message: what it says, and the data the channel hands back when it is pressed. */
export type ChannelChoice = { label: string; data: string };

/**
 * What pressing a choice did: `notice` answers the press (a short popup), `message` replaces the
 * message the choice was under, and `choices` (when given) are its buttons from then on; without
 * them the message is left without buttons.
 */
export type ChoiceReply = { notice: string; message?: string; choices?: ChannelChoice[][] };

/** What the channel-neutral core offers an adapter: each returns the reply, or nothing to say. */
export type ChannelHandler = {
  /** The person opened a pairing link; `token` is what the adapter's payload parser found. */
  pair(channel: string, subject: ChannelSubject, token: string): Promise<string>;
  /** A message; `command` is lower-case without its slash, or "" for plain text. */
  message(
    channel: string,
    subject: ChannelSubject,
    command: string,
    args: string,
  ): Promise<string | undefined>;
  /** A press on a choice the person saw; `data` is what the choice carried, as the channel delivered it. */
  choose(channel: string, subject: ChannelSubject, data: string): Promise<ChoiceReply | undefined>;
};

export type ChannelState = "off" | "starting" | "running" | "retrying" | "failed";

/**
 * One way people reach the panel. Pairing, grants and roles know nothing of the channel behind
 * this: the adapter names itself, serves messages to the handler, and speaks its link format.
 */
export type ChannelAdapter = {
  readonly name: string;
  /** The link that opens a pairing in the channel's app, or undefined while it is not set up. */
  pairingLink(token: string): string | undefined;
  /** The token in a pairing payload the channel delivered (e.g. Telegram's `/start pair-…`), if it is one. */
  parsePairingPayload(payload: string): string | undefined;
  /** Sends `text` to the person; false when the channel is not serving. */
  send(subjectId: string, text: string): Promise<boolean>;
  /**
   * Sends `text` with rows of choices under it; returns the channel's reference to the message (to
   * edit it later), or undefined when it was not sent.
   */
  sendChoices(subjectId: string, text: string, choices: ChannelChoice[][]): Promise<string | undefined>;
  /** Replaces a message sent with choices: its text, and its choices (none when not given). */
  edit(subjectId: string, messageRef: string, text: string, choices?: ChannelChoice[][]): Promise<boolean>;
  /** Starts serving if the channel is configured. */
  serve(handler: ChannelHandler): Promise<void>;
  close(): Promise<void>;
};
