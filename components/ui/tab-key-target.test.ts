import { describe, expect, it } from "vitest";
import { tabKeyTarget } from "./tab-key-target";

describe("tabKeyTarget", () => {
  const tabs = ["overview", "logs", "egress"];

  it("steps round with the arrows", () => {
    expect(tabKeyTarget(tabs, 0, "ArrowRight")).toBe("logs");
    expect(tabKeyTarget(tabs, 2, "ArrowRight")).toBe("overview");
    expect(tabKeyTarget(tabs, 1, "ArrowLeft")).toBe("overview");
    expect(tabKeyTarget(tabs, 0, "ArrowLeft")).toBe("egress");
  });

  it("goes to the ends with Home and End", () => {
    expect(tabKeyTarget(tabs, 1, "Home")).toBe("overview");
    expect(tabKeyTarget(tabs, 1, "End")).toBe("egress");
  });

  it("moves nowhere on any other key, or in an empty list", () => {
    expect(tabKeyTarget(tabs, 1, "Enter")).toBeUndefined();
    expect(tabKeyTarget([], -1, "ArrowRight")).toBeUndefined();
  });
});
