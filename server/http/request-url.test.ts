import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { decodePercent, requestUrl } from "./request-url";

const request = (url: string) => ({ url }) as IncomingMessage;

describe("request URLs a client can get wrong", () => {
  it("decodes good percent-encoding and answers undefined for bad, never throwing", () => {
    expect(decodePercent("agents.list%2Cagents.get")).toBe("agents.list,agents.get");
    expect(decodePercent("%25")).toBe("%");
    for (const bad of ["%", "%E0%A4%A", "%G1", "a%", "%ff", "%C0%AF"])
      expect(decodePercent(bad)).toBeUndefined();
  });

  it("parses origin-form and absolute-form targets, and gives undefined for one with a broken host", () => {
    expect(requestUrl(request("/api/health?x=1"))?.pathname).toBe("/api/health");
    expect(requestUrl(request("http://127.0.0.1:1/api/health"))?.pathname).toBe("/api/health");
    expect(requestUrl(request("//["))).toBeUndefined();
    expect(requestUrl(request("http://["))).toBeUndefined();
  });
});
