import { describe, expect, it } from "vitest";
import {
  ackThresholdBytes,
  highWatermark,
  lowWatermark,
  openTerminalSchema,
  parseClientMessage,
  parseServerControl,
  terminalSocketTarget,
  terminalSocketUrl,
} from "./terminal-protocol";

describe("client frames", () => {
  it("pass when well-formed and within bounds", () => {
    expect(parseClientMessage('{"type":"input","data":"ls\\r"}')).toEqual({ type: "input", data: "ls\r" });
    expect(parseClientMessage('{"type":"resize","cols":120,"rows":40}')).toEqual({
      type: "resize",
      cols: 120,
      rows: 40,
    });
    expect(parseClientMessage('{"type":"ack","bytes":65536}')).toEqual({ type: "ack", bytes: 65536 });
    expect(parseClientMessage('{"type":"close"}')).toEqual({ type: "close" });
  });

  it("are dropped when malformed, unknown or out of bounds", () => {
    for (const text of [
      "not json",
      "null",
      "[]",
      '{"type":"exec","data":"rm -rf /"}',
      '{"type":"input","data":42}',
      '{"type":"resize","cols":1,"rows":24}',
      '{"type":"resize","cols":80,"rows":501}',
      '{"type":"resize","cols":80.5,"rows":24}',
      '{"type":"ack","bytes":-1}',
      `{"type":"ack","bytes":${2 ** 30 + 1}}`,
    ]) {
      expect(parseClientMessage(text), text).toBeUndefined();
    }
  });
});

describe("server frames", () => {
  it("are read leniently: a missing field takes its default", () => {
    expect(parseServerControl('{"type":"ready","terminalId":"t1","replayed":12}')).toEqual({
      type: "ready",
      terminalId: "t1",
      replayed: 12,
    });
    expect(parseServerControl('{"type":"ready","terminalId":"t1"}')).toEqual({
      type: "ready",
      terminalId: "t1",
      replayed: 0,
    });
    expect(parseServerControl('{"type":"exit","code":3,"reason":"the program ended"}')).toEqual({
      type: "exit",
      code: 3,
      reason: "the program ended",
    });
    expect(parseServerControl('{"type":"exit","code":"x"}')).toEqual({
      type: "exit",
      code: null,
      reason: "the terminal ended",
    });
  });

  it("are ignored when this client does not know them", () => {
    expect(parseServerControl('{"type":"ready"}')).toBeUndefined(); // no terminal to re-attach to
    expect(parseServerControl('{"type":"bell"}')).toBeUndefined();
    expect(parseServerControl("{")).toBeUndefined();
  });
});

describe("terminal.open", () => {
  it("defaults to a shell and refuses an unknown profile or size", () => {
    expect(openTerminalSchema.parse({ agent: "a1", cols: 80, rows: 24 })).toEqual({
      agent: "a1",
      profile: "shell",
      args: [],
      cols: 80,
      rows: 24,
    });
    expect(openTerminalSchema.safeParse({ agent: "a1", profile: "root", cols: 80, rows: 24 }).success).toBe(
      false,
    );
    expect(openTerminalSchema.safeParse({ agent: "a1", cols: 80, rows: 1 }).success).toBe(false);
    expect(openTerminalSchema.safeParse({ agent: "", cols: 80, rows: 24 }).success).toBe(false);
  });
});

describe("the socket's address", () => {
  it("follows the page's scheme and carries the ticket encoded", () => {
    expect(terminalSocketUrl({ protocol: "http:", host: "127.0.0.1:7777" }, "a-b_c")).toBe(
      "ws://127.0.0.1:7777/ws/terminal?ticket=a-b_c",
    );
    expect(terminalSocketUrl({ protocol: "https:", host: "claw.local" }, "x")).toBe(
      "wss://claw.local/ws/terminal?ticket=x",
    );
    expect(terminalSocketTarget("a&b=c")).toBe("/ws/terminal?ticket=a%26b%3Dc");
  });
});

describe("flow control", () => {
  it("lets a client's batched acks resume a paused program", () => {
    // Paused above the high mark, resumed at the low one: a batch must fit between the two, or a
    // paused program would wait for the ack timer on every round.
    expect(lowWatermark).toBeLessThan(highWatermark);
    expect(ackThresholdBytes).toBeLessThanOrEqual(highWatermark - lowWatermark);
  });
});
