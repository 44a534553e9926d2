import { describe, expect, it } from "vitest";
import { CliError, exitCodes } from "./cli-error";
import type { Command } from "./command";
import { type CommandLine, parseCommandLine, toCommandOptions, usageText } from "./command-line";

const command = (usage: string, args?: Command["args"]): Command => ({
  usage,
  summary: `does ${usage}`,
  args,
  run: async () => exitCodes.ok,
});

const commands: Record<string, Command> = {
  audit: command("audit"),
  "audit tail": command("audit tail"),
  "agents start": command("agents start NAME", 1),
  exec: command("exec NAME -- CMD", "rest"),
  "access list": command("access list [NAME]", "optional"),
};

function parsed(argv: string[]): Exclude<CommandLine, { help: string }> {
  const line = parseCommandLine(argv, commands);
  if ("help" in line) throw new Error(`expected a command, got the help (exit ${line.exitCode})`);
  return line;
}

function refusal(argv: string[]): CliError {
  try {
    parseCommandLine(argv, commands);
  } catch (error) {
    if (error instanceof CliError) return error;
    throw error;
  }
  throw new Error(`${argv.join(" ")} was accepted`);
}

describe("parseCommandLine", () => {
  it("prints the help with exit 0 when asked for it, and with the usage exit code when given nothing", () => {
    expect(parseCommandLine(["--help"], commands)).toEqual({ help: usageText(commands), exitCode: 0 });
    expect(parseCommandLine(["-h", "audit"], commands)).toMatchObject({ exitCode: 0 });
    expect(parseCommandLine(["help"], commands)).toMatchObject({ exitCode: 0 });
    expect(parseCommandLine([], commands)).toMatchObject({ exitCode: exitCodes.usage });
    expect(parseCommandLine(["--json"], commands)).toMatchObject({ exitCode: exitCodes.usage });
  });

  it("takes the two-word command before the one-word command it starts with", () => {
    expect(parsed(["audit", "tail"]).name).toBe("audit tail");
    expect(parsed(["audit"]).name).toBe("audit");
    expect(parsed(["agents", "start", "coder"])).toMatchObject({ name: "agents start", args: ["coder"] });
  });

  it("counts the positional arguments against the command's args", () => {
    expect(refusal(["agents", "start"]).message).toBe("usage: claw agents start NAME");
    expect(refusal(["agents", "start", "a", "b"]).exitCode).toBe(exitCodes.usage);
    expect(refusal(["audit", "tail", "x"]).message).toBe("usage: claw audit tail");
    expect(parsed(["access", "list"]).args).toEqual([]);
    expect(parsed(["access", "list", "coder"]).args).toEqual(["coder"]);
    expect(refusal(["access", "list", "a", "b"]).exitCode).toBe(exitCodes.usage);
    expect(refusal(["exec"]).message).toBe("usage: claw exec NAME -- CMD");
  });

  it("passes everything after -- to a rest command as arguments, options included", () => {
    expect(parsed(["exec", "coder", "--", "ls", "-la", "--json"])).toMatchObject({
      args: ["coder", "ls", "-la", "--json"],
      options: { json: false },
    });
  });

  it("refuses an unknown command or option with the usage exit code and the help", () => {
    const unknown = refusal(["agents", "launch"]);
    expect(unknown.exitCode).toBe(exitCodes.usage);
    expect(unknown.message).toMatch(/^Unknown command "agents launch"\.\n\nUsage: claw/);
    const option = refusal(["audit", "--colour"]);
    expect(option.exitCode).toBe(exitCodes.usage);
    expect(option.message).toMatch(/Unknown option '--colour'[\s\S]*Usage: claw/);
    expect(refusal(["audit", "--lines"]).message).toMatch(/--lines/); // a string option without its value
  });

  it("gives commands camelCased options, short forms included, json and follow always set", () => {
    const { options } = parsed(["audit", "tail", "-fn", "5", "--no-cache", "--idle-hours", "3", "--json"]);
    expect(options).toEqual({ follow: true, lines: "5", noCache: true, idleHours: "3", json: true });
    expect(parsed(["audit"]).options).toEqual({ json: false, follow: false });
  });
});

describe("toCommandOptions", () => {
  it("camelCases every dashed name, drops help, and keeps values as given", () => {
    expect(
      toCommandOptions({
        help: true,
        "webhook-token-file": "/t",
        "api-key-stdin": true,
        "no-jobs": false,
        role: "admin",
      }),
    ).toEqual({
      webhookTokenFile: "/t",
      apiKeyStdin: true,
      noJobs: false,
      role: "admin",
      json: false,
      follow: false,
    });
  });
});

describe("usageText", () => {
  it("lines the summaries up, keeping two spaces after a usage longer than the column", () => {
    const long = "x".repeat(60);
    const text = usageText({ short: command("short"), long: command(long) });
    expect(text).toContain(`\n  short${" ".repeat(47)}  does short\n`);
    expect(text).toContain(`\n  ${long}  does ${long}\n`);
  });
});
