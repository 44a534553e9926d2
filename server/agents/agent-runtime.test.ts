import { describe, expect, it } from "vitest";
import { continuationIndex } from "../../cli/agent-commands";
import { splitLines } from "./agent-logs";
import { gatewayRequestHeaders, gatewayResponseHeaders } from "./gateway-proxy";

describe("the Gateway proxy's headers", () => {
  it("never passes the panel's cookie or CSRF header to the agent, and speaks for the checked origin", () => {
    const out = gatewayRequestHeaders(
      {
        cookie: "claw_session_7878=s3cret",
        "x-claw-csrf": "1",
        origin: "http://127.0.0.1:40111",
        host: "127.0.0.1:40111",
        accept: "*/*",
      },
      7878,
    );
    expect(out).toEqual({ host: "127.0.0.1:18789", origin: "http://127.0.0.1:7878", accept: "*/*" });
  });

  it("drops Set-Cookie from the agent: a cookie for 127.0.0.1 would reach the panel too", () => {
    expect(
      gatewayResponseHeaders({ "set-cookie": ["claw_session_7878=x"], "content-type": "text/html" }),
    ).toEqual({
      "content-type": "text/html",
    });
  });
});

describe("log plumbing", () => {
  it("splits whole lines and carries a partial one", () => {
    expect(splitLines("par", "tial\nnext\r\nrest")).toEqual({ lines: ["partial", "next"], carry: "rest" });
  });

  it("continues a followed log after the lines already printed, even when lines repeat", () => {
    expect(continuationIndex([], ["a", "b"])).toBe(0);
    expect(continuationIndex(["b", "c"], ["a", "b", "c", "d"])).toBe(3);
    expect(continuationIndex(["x", "x"], ["x", "x", "x", "y"])).toBe(3);
    expect(continuationIndex(["gone"], ["a", "b"])).toBe(0);
  });
});
