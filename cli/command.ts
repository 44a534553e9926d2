// What a command is and what it is given: the one module every command file imports, and that
// imports none of them (the table of commands is commands.ts).
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "../server/routers/root";
import { exitCodes } from "./cli-error";
import { print } from "./output";
import type { PanelConnection } from "./panel-client";

/** What the panel's procedures answer, as the CLI receives them. */
export type RouterOutputs = inferRouterOutputs<AppRouter>;

/** The command line's options, for node:util's parseArgs; commands see them camelCased. */
export const optionSpec = {
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  follow: { type: "boolean", short: "f" },
  lines: { type: "string", short: "n" },
  since: { type: "string" },
  agent: { type: "string" },
  category: { type: "string" },
  output: { type: "string", short: "o" },
  template: { type: "string" },
  name: { type: "string" },
  "no-cache": { type: "boolean" },
  "no-wait": { type: "boolean" },
  force: { type: "boolean" },
  interactive: { type: "boolean", short: "i" },
  tty: { type: "boolean", short: "t" },
  prompt: { type: "string" },
  session: { type: "string" },
  status: { type: "string" },
  offset: { type: "string" },
  limit: { type: "string" },
  "idle-hours": { type: "string" },
  "remove-workspace": { type: "boolean" },
  "base-url": { type: "string" },
  "api-key-stdin": { type: "boolean" },
  "credentials-file": { type: "string" },
  "webhook-url": { type: "string" },
  "webhook-token-file": { type: "string" },
  role: { type: "string" },
  expires: { type: "string" },
  "token-stdin": { type: "boolean" },
  "api-root": { type: "string" },
  remove: { type: "boolean" },
  jobs: { type: "boolean" },
  "no-jobs": { type: "boolean" },
  "per-hour": { type: "string" },
  for: { type: "string" },
  uses: { type: "string" },
  "until-stop": { type: "boolean" },
  always: { type: "boolean" },
  reason: { type: "string" },
  all: { type: "boolean" },
} as const;

type CamelCase<Name extends string> = Name extends `${infer Head}-${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : Name;
type OptionName = Exclude<keyof typeof optionSpec, "help">;

/** `--no-cache` is `noCache`; a flag is a boolean, anything else the string given. */
export type CommandOptions = {
  [Name in OptionName as CamelCase<Name>]?: (typeof optionSpec)[Name]["type"] extends "boolean"
    ? boolean
    : string;
} & { json: boolean; follow: boolean };

export type Command = {
  usage: string;
  summary: string;
  /**
   * How many positional arguments follow the command words (an agent or template name); "rest": a
   * name and a command; "optional": none or one.
   */
  args?: number | "rest" | "optional";
  run(panel: PanelConnection, options: CommandOptions, args: string[]): Promise<number>;
};

/** What a panel command's `ask` is given: the connection (and its tRPC client), options, arguments. */
export type Asked = {
  panel: PanelConnection;
  client: PanelConnection["client"];
  options: CommandOptions;
  args: string[];
};

/**
 * The usual command: ask the panel (checking the command line first, where it needs to), print the
 * answer (indented JSON with --json, `text` of it otherwise) and exit 0, or 1 where `failed` says
 * the answer is a failure (drift, a failed check). Errors thrown by `ask` end the command unprinted.
 */
export function panelCommand<Answer>({
  ask,
  text,
  failed,
  ...described
}: Pick<Command, "usage" | "summary" | "args"> & {
  ask: (asked: Asked) => Promise<Answer>;
  text: (answer: Answer, args: string[]) => string;
  failed?: (answer: Answer) => boolean;
}): Command {
  return {
    ...described,
    async run(panel, options, args) {
      const answer = await ask({ panel, client: panel.client, options, args });
      print(options, answer, text(answer, args));
      return failed?.(answer) ? exitCodes.failed : exitCodes.ok;
    },
  };
}

/** The first positional argument (an agent or template name); a command's `args` makes it present. */
export const firstArg = (args: string[]): string => args[0] ?? "";

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
