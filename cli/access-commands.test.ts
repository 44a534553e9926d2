import { describe, expect, it } from "vitest";
import { channelArg, formatBot, jobsOption, minutesLeft } from "./access-commands";
import { exitCodes } from "./cli-error";

const usageError = (message: string) => expect.objectContaining({ exitCode: exitCodes.usage, message });

describe("formatBot", () => {
  const bot = {
    configured: true,
    state: "running",
    username: "claw_bot",
    tokenHint: "…abcd",
    apiRoot: null,
    error: null,
  } as const;

  it("says how to set a bot up when there is none", () => {
    expect(formatBot({ ...bot, configured: false })).toBe(
      "Telegram bot: not set up (claw access bot --token-stdin < token-file)",
    );
  });

  it("shows the state, the bot's name and the token hint, then the API root and error if any", () => {
    expect(formatBot(bot)).toBe("Telegram bot: running  @claw_bot  token …abcd");
    expect(
      formatBot({
        ...bot,
        state: "retrying",
        username: null,
        apiRoot: "http://127.0.0.1:8081",
        error: "getUpdates: 502",
      }).split("\n"),
    ).toEqual([
      "Telegram bot: retrying  token …abcd",
      "  Bot API: http://127.0.0.1:8081",
      "  getUpdates: 502",
    ]);
  });
});

describe("jobsOption", () => {
  it("is true for --jobs, false for --no-jobs and undefined (the role's default) for neither", () => {
    expect(jobsOption({ json: false, follow: false, jobs: true })).toBe(true);
    expect(jobsOption({ json: false, follow: false, noJobs: true })).toBe(false);
    expect(jobsOption({ json: false, follow: false })).toBeUndefined();
  });

  it("refuses both at once", () => {
    expect(() => jobsOption({ json: false, follow: false, jobs: true, noJobs: true })).toThrow(
      usageError("--jobs or --no-jobs, not both"),
    );
  });
});

describe("channelArg", () => {
  it("takes telegram and refuses any other channel", () => {
    expect(channelArg("telegram")).toBe("telegram");
    expect(() => channelArg("signal")).toThrow(
      usageError('unknown channel "signal": the one channel is telegram'),
    );
  });
});

describe("minutesLeft", () => {
  const now = Date.parse("2026-05-01T12:00:00Z");
  it("rounds to whole minutes and says now once the time has come", () => {
    expect(minutesLeft(new Date(now + 10 * 60_000), now)).toBe("10 min");
    expect(minutesLeft(new Date(now + 89_000).toISOString(), now)).toBe("1 min");
    expect(minutesLeft(new Date(now + 29_000), now)).toBe("now");
    expect(minutesLeft(new Date(now - 60_000), now)).toBe("now");
  });
});
