import { afterEach, describe, expect, it, vi } from "vitest";
import { CliError, exitCodes } from "./cli-error";
import { type Asked, panelCommand } from "./command";
import type { PanelConnection } from "./panel-client";

afterEach(() => {
  vi.restoreAllMocks();
});

const panel = { socketPath: "/run/panel.sock", client: {} } as unknown as PanelConnection;
const options = (json: boolean) => ({ json, follow: false, force: true });

describe("panelCommand", () => {
  it("keeps usage, summary and args, and gives ask the connection, its client, options and arguments", async () => {
    vi.spyOn(console, "log").mockImplementation(() => {});
    let asked: Asked | undefined;
    const command = panelCommand({
      usage: "things show NAME",
      summary: "a thing",
      args: 1,
      ask: async (given) => {
        asked = given;
        return { name: "a" };
      },
      text: (thing) => thing.name,
    });
    expect(command).toMatchObject({ usage: "things show NAME", summary: "a thing", args: 1 });
    await command.run(panel, options(false), ["a"]);
    expect(asked).toEqual({ panel, client: panel.client, options: options(false), args: ["a"] });
  });

  it("prints the text of the answer (given the arguments) for people, indented JSON with --json, and exits 0", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const command = panelCommand({
      usage: "things cancel ID",
      summary: "cancel a thing",
      args: 1,
      ask: async () => ({ status: "cancelled" }),
      text: (result, args) => `${args[0]}: ${result.status}`,
    });
    expect(await command.run(panel, options(false), ["t1"])).toBe(exitCodes.ok);
    expect(await command.run(panel, options(true), ["t1"])).toBe(exitCodes.ok);
    expect(log.mock.calls).toEqual([["t1: cancelled"], ['{\n  "status": "cancelled"\n}']]);
  });

  it("exits 1 after printing an answer that failed says is a failure", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const command = panelCommand({
      usage: "check",
      summary: "a check",
      ask: async () => ({ ok: false }),
      text: (result) => (result.ok ? "ok" : "FAIL"),
      failed: (result) => !result.ok,
    });
    expect(await command.run(panel, options(false), [])).toBe(exitCodes.failed);
    expect(log.mock.calls).toEqual([["FAIL"]]);
  });

  it("prints nothing when ask throws, and lets the error end the command", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const text = vi.fn(() => "never");
    const command = panelCommand({
      usage: "things create",
      summary: "create a thing",
      ask: async (): Promise<string> => {
        throw new CliError("usage: claw things create --name N", exitCodes.usage);
      },
      text,
    });
    await expect(command.run(panel, options(false), [])).rejects.toMatchObject({
      exitCode: exitCodes.usage,
      message: "usage: claw things create --name N",
    });
    expect(text).not.toHaveBeenCalled();
    expect(log).not.toHaveBeenCalled();
  });
});
