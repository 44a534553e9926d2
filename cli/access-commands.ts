import QRCode from "qrcode";
import { CliError, exitCodes } from "./cli-error";
import { type Command, type CommandOptions, firstArg, panelCommand, type RouterOutputs } from "./command";
import { print, readStdin } from "./output";

type BotStatus = RouterOutputs["access"]["status"]["telegram"];

const roles = ["viewer", "operator", "admin"] as const;

export function channelArg(value: string | undefined): "telegram" {
  if (value !== "telegram")
    throw new CliError(`unknown channel "${value}": the one channel is telegram`, exitCodes.usage);
  return value;
}

/** `--jobs` / `--no-jobs`, or undefined for the role's default. */
export function jobsOption(options: CommandOptions): boolean | undefined {
  if (options.jobs && options.noJobs) throw new CliError("--jobs or --no-jobs, not both", exitCodes.usage);
  return options.jobs ? true : options.noJobs ? false : undefined;
}

export function minutesLeft(iso: string | Date, now = Date.now()): string {
  const minutes = Math.round((new Date(iso).getTime() - now) / 60_000);
  return minutes <= 0 ? "now" : `${minutes} min`;
}

export function formatBot(
  status: Pick<BotStatus, "configured" | "state" | "username" | "tokenHint" | "apiRoot" | "error">,
): string {
  if (!status.configured) return "Telegram bot: not set up (claw access bot --token-stdin < token-file)";
  return [
    `Telegram bot: ${status.state}${status.username ? `  @${status.username}` : ""}  token ${status.tokenHint}`,
    ...(status.apiRoot ? [`  Bot API: ${status.apiRoot}`] : []),
    ...(status.error ? [`  ${status.error}`] : []),
  ].join("\n");
}

export const accessCommands: Record<string, Command> = {
  "access bot": panelCommand({
    usage: "access bot [--token-stdin] [--api-root URL] [--remove]",
    summary: "the Telegram bot's state; set its token (checked with Telegram first) or remove it",
    async ask({ client, options }): Promise<BotStatus> {
      if (options.remove) return client.access.configureTelegram.mutate({ token: null });
      if (!options.tokenStdin && options.apiRoot === undefined)
        return (await client.access.status.query()).telegram;
      const token = options.tokenStdin ? await readStdin() : undefined;
      if (options.tokenStdin && !token) throw new CliError("no token on standard input", exitCodes.usage);
      return client.access.configureTelegram.mutate({
        token,
        apiRoot: options.apiRoot === "" ? null : options.apiRoot,
      });
    },
    text: (status) => formatBot(status),
  }),
  "access pair": {
    usage: "access pair telegram NAME [--role R] [--jobs|--no-jobs] [--expires MIN]",
    summary:
      "a single-use pairing link (and QR code) for one person to reach agent NAME; --jobs lets them run Claude Code jobs from the chat (admins may unless --no-jobs)",
    args: 2,
    async run(panel, options, args) {
      const role = (options.role ?? "viewer") as (typeof roles)[number];
      if (!roles.includes(role))
        throw new CliError(`--role must be one of ${roles.join(", ")}`, exitCodes.usage);
      const expires = options.expires === undefined ? undefined : Number(options.expires);
      if (expires !== undefined && !Number.isInteger(expires))
        throw new CliError("--expires is a whole number of minutes", exitCodes.usage);
      const pairing = await panel.client.access.pair.mutate({
        channel: channelArg(args[0]),
        agent: args[1] ?? "",
        role,
        jobs: jobsOption(options),
        expiresInMinutes: expires,
      });
      const { qrSvg: _svg, ...json } = pairing;
      const qr = await QRCode.toString(pairing.link, { type: "terminal", small: true });
      print(
        options,
        json,
        [
          qr,
          pairing.link,
          "",
          `Pairing ${pairing.id}: ${pairing.role}${pairing.jobs ? " with jobs" : ""} on ${pairing.agent}, expires in ${minutesLeft(pairing.expiresAt)}. The link works once and is not shown again.`,
          "When the person opens it, the bot shows them a code; if they read you the same code, confirm:",
          `  claw access confirm telegram ${pairing.agent} CODE`,
        ].join("\n"),
      );
      return exitCodes.ok;
    },
  },
  "access confirm": panelCommand({
    usage: "access confirm telegram NAME CODE",
    summary: "grant the pairing on NAME whose person was shown CODE",
    args: 3,
    async ask({ client, args }) {
      const [channel, agent = "", code = ""] = [channelArg(args[0]), args[1], args[2]];
      const open = await client.access.pairings.query({ agent });
      const claimed = open.filter((pairing) => pairing.channel === channel && pairing.status === "claimed");
      const match = claimed.find((pairing) => pairing.code === code.replace(/\s/g, ""));
      if (!match)
        throw new CliError(
          claimed.length === 0
            ? `nobody has opened a pairing link for ${agent} yet (claw access list ${agent})`
            : `no pairing for ${agent} was shown the code ${code}; check it with the person`,
          exitCodes.failed,
        );
      return client.access.confirm.mutate({ id: match.id, code });
    },
    text: (grant) =>
      `${grant.subjectName ?? grant.subjectId} (${grant.channel} ${grant.subjectId}) is now ${grant.role} on ${grant.agent}`,
  }),
  "access reject": panelCommand({
    usage: "access reject ID",
    summary: "turn down a pairing someone opened, or cancel one nobody has",
    args: 1,
    ask: ({ client, args }) => client.access.reject.mutate({ id: firstArg(args) }),
    text: (pairing) => `${pairing.id} ${pairing.status}`,
  }),
  "access list": panelCommand({
    usage: "access list [NAME]",
    summary: "who has access (to NAME, or to every agent), and pairings waiting",
    args: "optional",
    async ask({ client, args: [agent] }) {
      const [grants, pairings] = await Promise.all([
        client.access.grants.query({ agent }),
        client.access.pairings.query({ agent }),
      ]);
      return { grants, pairings };
    },
    text({ grants, pairings }, [agent]) {
      const lines =
        grants.length === 0
          ? [`nobody has access${agent ? ` to ${agent}` : ""} yet: claw access pair telegram NAME`]
          : [
              `${"AGENT".padEnd(20)} ${"CHANNEL".padEnd(9)} ${"USER ID".padEnd(14)} ${"ROLE".padEnd(9)} ${"JOBS".padEnd(10)} NAME`,
              ...grants.map(
                (grant) =>
                  `${grant.agent.padEnd(20)} ${grant.channel.padEnd(9)} ${grant.subjectId.padEnd(14)} ${grant.role.padEnd(9)} ${(grant.jobs ? `${grant.jobsPerHour}/h` : "no").padEnd(10)} ${grant.subjectName ?? ""}`,
              ),
            ];
      if (pairings.length > 0)
        lines.push(
          "",
          "Pairings waiting:",
          ...pairings.map(
            (pairing) =>
              `${pairing.id}  ${pairing.agent}  ${pairing.role}  ${pairing.status === "claimed" ? `opened by ${pairing.subjectName ?? pairing.subjectId}, code ${pairing.code}` : "not opened yet"}  expires in ${minutesLeft(pairing.expiresAt)}`,
          ),
        );
      return lines.join("\n");
    },
  }),
  "access jobs": panelCommand({
    usage: "access jobs telegram NAME USER_ID on|off [--per-hour N]",
    summary: "let a person run Claude Code jobs on NAME from the chat (at most N an hour), or stop them",
    args: 4,
    ask({ client, options, args }) {
      const switchArg = args[3];
      if (switchArg !== "on" && switchArg !== "off")
        throw new CliError("say on or off: claw access jobs telegram NAME USER_ID on", exitCodes.usage);
      const perHour = options.perHour === undefined ? undefined : Number(options.perHour);
      if (perHour !== undefined && !(Number.isInteger(perHour) && perHour >= 1))
        throw new CliError("--per-hour is a whole number of jobs, 1 or more", exitCodes.usage);
      return client.access.setJobs.mutate({
        channel: channelArg(args[0]),
        agent: args[1] ?? "",
        subjectId: args[2] ?? "",
        jobs: switchArg === "on",
        jobsPerHour: perHour,
      });
    },
    text: (grant) =>
      grant.jobs
        ? `${grant.subjectName ?? grant.subjectId} may run jobs on ${grant.agent} from ${grant.channel}, at most ${grant.jobsPerHour} an hour`
        : `${grant.subjectName ?? grant.subjectId} may no longer run jobs on ${grant.agent} from ${grant.channel}`,
  }),
  "access revoke": panelCommand({
    usage: "access revoke telegram NAME USER_ID",
    summary: "take a person's access to NAME away (at once)",
    args: 3,
    ask: ({ client, args }) =>
      client.access.revoke.mutate({
        channel: channelArg(args[0]),
        agent: args[1] ?? "",
        subjectId: args[2] ?? "",
      }),
    text: (grant) =>
      `revoked ${grant.channel} user ${grant.subjectId}'s ${grant.role} access to ${grant.agent}`,
  }),
};
