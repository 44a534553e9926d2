import { describe, expect, it } from "vitest";
import { hostBaseOf, parseContainersRange, pickIdBase } from "./agent-id-range";

describe("agent id ranges", () => {
  it("reads the containers range and hands out slots from its top, skipping taken ones", () => {
    const range = parseContainersRange("root:100000:65536\ncontainers:2147483647:2147483648\n");
    expect(range).toEqual({ start: 2_147_483_647, count: 2_147_483_648 });
    if (!range) return;
    const top = range.start + range.count - 65_536;
    expect(pickIdBase(range, new Set())).toBe(top);
    expect(pickIdBase(range, new Set([top]))).toBe(top - 65_536);
    expect(pickIdBase({ start: 0, count: 65_536 }, new Set([0]))).toBeUndefined();
    expect(parseContainersRange("root:1:2\n")).toBeUndefined();
    expect(hostBaseOf(["0:4294901759:65536"])).toBe(4_294_901_759);
    expect(hostBaseOf(undefined)).toBeUndefined();
  });
});
