import { describe, expect, it } from "vitest";
import { deletedHref } from "./agents-table";

describe("deletedHref", () => {
  it("carries the name and the trash path, encoded, to the agents list", () => {
    const href = deletedHref({ name: "coder", trash: "/home/me/.claw/trash/coder 2025&x" });
    expect(href.startsWith("/agents?")).toBe(true);
    const params = new URLSearchParams(href.slice("/agents?".length));
    expect(params.get("deleted")).toBe("coder");
    expect(params.get("trash")).toBe("/home/me/.claw/trash/coder 2025&x");
  });
});
