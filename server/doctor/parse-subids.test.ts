import { describe, expect, it } from "vitest";
import { parseSubIdFile, subIdRangesFor, totalCount } from "./parse-subids";

describe("parseSubIdFile", () => {
  it("reads owner:start:count lines and skips the rest", () => {
    const text = [
      "# comment",
      "",
      "alice:100000:65536",
      "1001:165536:65536",
      "containers:2147483647:2147483648",
      "broken:12",
      "bad:x:10",
      "extra:1:2:3",
      "  bob:200000:1000  ",
    ].join("\n");
    expect(parseSubIdFile(text)).toEqual([
      { owner: "alice", start: 100_000, count: 65_536 },
      { owner: "1001", start: 165_536, count: 65_536 },
      { owner: "containers", start: 2_147_483_647, count: 2_147_483_648 },
      { owner: "bob", start: 200_000, count: 1_000 },
    ]);
  });

  it("reads an empty file as no ranges", () => {
    expect(parseSubIdFile("")).toEqual([]);
  });
});

describe("subIdRangesFor", () => {
  const ranges = parseSubIdFile("alice:100000:65536\n1001:300000:1000\nbob:1:1\n");

  it("matches by name or by uid and adds the counts", () => {
    const mine = subIdRangesFor(ranges, { name: "alice", uid: 1001 });
    expect(mine.map((r) => r.start)).toEqual([100_000, 300_000]);
    expect(totalCount(mine)).toBe(66_536);
  });

  it("matches nothing for a stranger", () => {
    expect(subIdRangesFor(ranges, { name: "carol", uid: 1002 })).toEqual([]);
  });
});
