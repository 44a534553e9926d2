import { describe, expect, it } from "vitest";
import { promptExcerpt } from "./jobs-table";

describe("promptExcerpt", () => {
  it("keeps the first non-blank line only", () => {
    expect(promptExcerpt("\n\n  Fix the tests\nthen push")).toBe("Fix the tests");
  });

  it("cuts a long line to the length, ellipsis included", () => {
    expect(promptExcerpt("abcdefghij", 5)).toBe("abcd…");
    expect(promptExcerpt("abcde", 5)).toBe("abcde");
    expect(promptExcerpt("x".repeat(200))).toHaveLength(90);
  });
});
