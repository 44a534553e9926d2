import { describe, expect, it } from "vitest";
import { describeIdMap } from "./agent-overview";

describe("describeIdMap", () => {
  it("reads a container:host:size entry as two ranges", () => {
    expect(describeIdMap("0:100000:65536")).toBe("0–65535 → host 100000–165535");
    expect(describeIdMap("1000:1000:1")).toBe("1000–1000 → host 1000–1000");
  });

  it("shows an entry it cannot read as it is", () => {
    expect(describeIdMap("0:100000")).toBe("0:100000");
    expect(describeIdMap("0:100000:0")).toBe("0:100000:0");
    expect(describeIdMap("a:b:c")).toBe("a:b:c");
  });
});
