import { once } from "node:events";
import { createInterface } from "node:readline";
import { Writable } from "node:stream";
import { CliError, exitCodes } from "./cli-error";
import { type Command, firstArg, panelCommand, type RouterOutputs } from "./command";
import { readStdin } from "./output";

/** What `secrets list` shows of a secret: never a value (the panel has no call that returns one). */
export type SecretRow = Pick<RouterOutputs["secrets"]["list"][number], "name" | "set" | "usedBy"> & {
  setAt: string | Date | null;
};

const pad2 = (n: number) => String(n).padStart(2, "0");

/** Local time to the minute: when a key was last rotated is what a person checks. */
export function formatSetAt(setAt: string | Date): string {
  const at = new Date(setAt);
  return `${at.getFullYear()}-${pad2(at.getMonth() + 1)}-${pad2(at.getDate())} ${pad2(at.getHours())}:${pad2(at.getMinutes())}`;
}

export function formatSecrets(secrets: SecretRow[]): string {
  if (secrets.length === 0) return "no secrets yet: claw secrets set NAME < file";
  const width = Math.max(4, ...secrets.map((secret) => secret.name.length));
  const set = (secret: SecretRow) => (secret.set && secret.setAt ? `yes ${formatSetAt(secret.setAt)}` : "no");
  const lines = [
    `${"NAME".padEnd(width)}  ${"SET".padEnd(20)}  USED BY`,
    ...secrets.map((secret) =>
      `${secret.name.padEnd(width)}  ${set(secret).padEnd(20)}  ${secret.usedBy.join(", ") || "-"}`.trimEnd(),
    ),
  ];
  if (secrets.some((secret) => !secret.set && secret.usedBy.length > 0))
    lines.push("", "Set a missing one with: claw secrets set NAME < file (or type it when asked)");
  return lines.join("\n");
}

/**
 * One line typed at `prompt` without echo: readline writes what it echoes to a sink, and puts the
 * terminal in raw mode while it reads. Ctrl-C or Ctrl-D before Enter is no value.
 */
export async function readHiddenLine(
  prompt: string,
  input: NodeJS.ReadableStream = process.stdin,
  output: NodeJS.WritableStream = process.stderr,
): Promise<string> {
  output.write(prompt);
  const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
  const lines = createInterface({ input, output: sink, terminal: true });
  const interrupted = new Promise<never>((_, reject) =>
    lines.once("SIGINT", () => reject(new CliError("interrupted: nothing was set", exitCodes.failed))),
  );
  try {
    const read = once(lines, "line").then(([line]) => String(line));
    const closed = once(lines, "close").then(() => "");
    return await Promise.race([read, closed, interrupted]);
  } finally {
    lines.close();
    output.write("\n");
  }
}

/** The value, typed (hidden) at a terminal or all of a pipe, trimmed; never an argument (`ps`, history). */
export async function readSecretValue(name: string): Promise<string> {
  const value = process.stdin.isTTY
    ? (await readHiddenLine(`Value for ${name} (input hidden): `)).trim()
    : await readStdin();
  if (!value)
    throw new CliError(
      `no value for ${name} on standard input\nfix: claw secrets set ${name} < file (or run it in a terminal and type the value)`,
      exitCodes.usage,
    );
  return value;
}

export const secretCommands: Record<string, Command> = {
  "secrets list": panelCommand({
    usage: "secrets list",
    summary: "secrets by name: whether and when set, and what uses them (never a value)",
    ask: ({ client }) => client.secrets.list.query(),
    text: (secrets) => formatSecrets(secrets),
  }),
  "secrets set": panelCommand({
    usage: "secrets set NAME < file",
    summary: "store a secret, the value from stdin (asked for, hidden, at a terminal); it is not shown again",
    args: 1,
    async ask({ client, args }) {
      const name = firstArg(args);
      await client.secrets.set.mutate({ name, value: await readSecretValue(name) });
      return { name, set: true };
    },
    text: ({ name }) => `secret ${name} set`,
  }),
  "secrets delete": panelCommand({
    usage: "secrets delete NAME",
    summary: "remove a secret's value from the panel",
    args: 1,
    async ask({ client, args }) {
      const name = firstArg(args);
      return { name, ...(await client.secrets.delete.mutate({ name })) };
    },
    text: ({ name, deleted }) => (deleted ? `secret ${name} deleted` : `secret ${name} was not set`),
  }),
};
