import { describe, expect, it } from "vitest";
import { filterFromParams } from "./audit-types";

describe("filterFromParams", () => {
  it("takes the filter keys from the URL and nothing else", () => {
    const params = new URLSearchParams("category=egress&agent=coder&page=3&utm=x");
    expect(filterFromParams(params)).toEqual({ category: "egress", agent: "coder" });
  });

  it("drops empty values, so a cleared field does not filter for the empty string", () => {
    expect(filterFromParams(new URLSearchParams("text=&outcome=denied&from="))).toEqual({
      outcome: "denied",
    });
  });

  it("keeps a value with URL-encoded characters decoded", () => {
    expect(filterFromParams(new URLSearchParams("text=a%20b%26c"))).toEqual({ text: "a b&c" });
  });
});
