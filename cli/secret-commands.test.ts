import { PassThrough, Readable } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { exitCodes } from "./cli-error";
import type { PanelConnection } from "./panel-client";
import {
  formatSecrets,
  formatSetAt,
  readHiddenLine,
  readSecretValue,
  type SecretRow,
  secretCommands,
} from "./secret-commands";

afterEach(() => {
  vi.restoreAllMocks();
});

const options = (json = false) => ({ json, follow: false });

/** A terminal that has had `typed` typed into it; what the CLI writes back is in `written()`. */
function terminal(typed: string) {
  const input = Object.assign(new PassThrough(), { isTTY: true });
  const output = new PassThrough();
  const chunks: string[] = [];
  output.on("data", (chunk: Buffer) => chunks.push(chunk.toString("utf8")));
  setImmediate(() => input.write(typed));
  return { input, output, written: () => chunks.join("") };
}

/** Standard input as a pipe carrying `text` (process.stdin is a getter, so a test can swap it). */
const pipeIn = (text: string) =>
  vi
    .spyOn(process, "stdin", "get")
    .mockReturnValue(Readable.from([Buffer.from(text)]) as unknown as typeof process.stdin);

/** A panel whose secrets calls answer as given and remember what they were sent. */
function fakePanel(deleted = true) {
  const calls: unknown[] = [];
  const secrets = {
    list: {
      query: async () => [
        { name: "anthropic-api-key", set: true, setAt: "2026-05-01T12:00:00.000Z", usedBy: [] },
      ],
    },
    set: {
      mutate: async (input: unknown) => {
        calls.push(["set", input]);
        return { ok: true };
      },
    },
    delete: {
      mutate: async (input: unknown) => {
        calls.push(["delete", input]);
        return { deleted };
      },
    },
  };
  return { panel: { client: { secrets } } as unknown as PanelConnection, calls };
}

describe("formatSecrets", () => {
  const setAt = new Date(2026, 4, 1, 9, 5);

  it("shows each name, whether and when it was set and what uses it, never a value", () => {
    const rows: SecretRow[] = [
      { name: "anthropic-api-key", set: true, setAt, usedBy: ["agent coder", "Claude Code jobs"] },
      { name: "github-token", set: true, setAt: setAt.toISOString(), usedBy: [] },
    ];
    expect(formatSecrets(rows).split("\n")).toEqual([
      "NAME               SET                   USED BY",
      "anthropic-api-key  yes 2026-05-01 09:05  agent coder, Claude Code jobs",
      "github-token       yes 2026-05-01 09:05  -",
    ]);
  });

  it("says how to set one that something uses but nobody set", () => {
    const text = formatSecrets([{ name: "slack-token", set: false, setAt: null, usedBy: ["agent ops"] }]);
    expect(text.split("\n")).toEqual([
      "NAME         SET                   USED BY",
      "slack-token  no                    agent ops",
      "",
      "Set a missing one with: claw secrets set NAME < file (or type it when asked)",
    ]);
  });

  it("says how to set the first secret when there is none", () => {
    expect(formatSecrets([])).toBe("no secrets yet: claw secrets set NAME < file");
  });
});

describe("formatSetAt", () => {
  it("is the local date and time to the minute", () => {
    expect(formatSetAt(new Date(2026, 0, 2, 3, 4, 59))).toBe("2026-01-02 03:04");
  });
});

describe("readHiddenLine", () => {
  it("prompts, returns the line typed and echoes none of it", async () => {
    const { input, output, written } = terminal("sk-ant-secret\r");
    expect(await readHiddenLine("Value for k (input hidden): ", input, output)).toBe("sk-ant-secret");
    expect(written()).toBe("Value for k (input hidden): \n");
  });

  it("is empty when input ends (Ctrl-D) before a line", async () => {
    const { input, output } = terminal("");
    setImmediate(() => input.end());
    expect(await readHiddenLine("? ", input, output)).toBe("");
  });

  it("gives up on Ctrl-C, setting nothing", async () => {
    const { input, output } = terminal("half\u0003");
    await expect(readHiddenLine("? ", input, output)).rejects.toMatchObject({
      exitCode: exitCodes.failed,
      message: "interrupted: nothing was set",
    });
  });
});

describe("readSecretValue", () => {
  it("asks for the value at a terminal, hidden, and trims it", async () => {
    const { input, output, written } = terminal("  tok-1  \r");
    vi.spyOn(process, "stdin", "get").mockReturnValue(input as unknown as typeof process.stdin);
    vi.spyOn(process, "stderr", "get").mockReturnValue(output as unknown as typeof process.stderr);
    expect(await readSecretValue("github-token")).toBe("tok-1");
    expect(written()).toBe("Value for github-token (input hidden): \n");
  });

  it("reads all of a pipe, trimmed", async () => {
    pipeIn("  line one\nline two\n\n");
    expect(await readSecretValue("k")).toBe("line one\nline two");
  });

  it("refuses an empty value with the way to give one", async () => {
    pipeIn(" \n");
    await expect(readSecretValue("github-token")).rejects.toMatchObject({
      exitCode: exitCodes.usage,
      message:
        "no value for github-token on standard input\nfix: claw secrets set github-token < file (or run it in a terminal and type the value)",
    });
  });
});

describe("secrets commands", () => {
  it("are called with a name, except list", () => {
    expect(secretCommands["secrets set"]?.args).toBe(1);
    expect(secretCommands["secrets delete"]?.args).toBe(1);
    expect(secretCommands["secrets list"]?.args).toBeUndefined();
  });

  it("set sends the name and the piped value, and prints the name only", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    pipeIn("sk-ant-123\n");
    const { panel, calls } = fakePanel();
    expect(await secretCommands["secrets set"]?.run(panel, options(), ["anthropic-api-key"])).toBe(
      exitCodes.ok,
    );
    expect(calls).toEqual([["set", { name: "anthropic-api-key", value: "sk-ant-123" }]]);
    expect(log.mock.calls).toEqual([["secret anthropic-api-key set"]]);
  });

  it("set sends nothing when there is no value", async () => {
    vi.spyOn(console, "log").mockImplementation(() => {});
    pipeIn("");
    const { panel, calls } = fakePanel();
    await expect(secretCommands["secrets set"]?.run(panel, options(), ["k"])).rejects.toMatchObject({
      exitCode: exitCodes.usage,
    });
    expect(calls).toEqual([]);
  });

  it("delete says whether there was a value to delete, and gives JSON with --json", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    await secretCommands["secrets delete"]?.run(fakePanel(true).panel, options(), ["k"]);
    await secretCommands["secrets delete"]?.run(fakePanel(false).panel, options(), ["k"]);
    const { panel, calls } = fakePanel(true);
    await secretCommands["secrets delete"]?.run(panel, options(true), ["k"]);
    expect(calls).toEqual([["delete", { name: "k" }]]);
    expect(log.mock.calls).toEqual([
      ["secret k deleted"],
      ["secret k was not set"],
      ['{\n  "name": "k",\n  "deleted": true\n}'],
    ]);
  });

  it("list prints the table, or the panel's answer with --json", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const { panel } = fakePanel();
    await secretCommands["secrets list"]?.run(panel, options(), []);
    await secretCommands["secrets list"]?.run(panel, options(true), []);
    expect(log.mock.calls[0]?.[0]).toMatch(
      /^NAME +SET +USED BY\nanthropic-api-key +yes \d{4}-\d\d-\d\d \d\d:\d\d +-$/,
    );
    expect(JSON.parse(String(log.mock.calls[1]?.[0]))).toEqual(await panel.client.secrets.list.query());
  });
});
