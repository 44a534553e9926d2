import { afterEach, describe, expect, it, vi } from "vitest";
import { mib, print } from "./output";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("print", () => {
  it("prints the text for people and indented JSON with --json", () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    print({ json: false }, { a: 1 }, "a is 1");
    print({ json: true }, { a: 1 }, "a is 1");
    expect(log.mock.calls).toEqual([["a is 1"], ['{\n  "a": 1\n}']]);
  });
});

describe("mib", () => {
  it("rounds to whole MiB", () => {
    expect(mib(0)).toBe("0 MiB");
    expect(mib(1.5 * 1024 ** 2)).toBe("2 MiB");
    expect(mib(1.49 * 1024 ** 2)).toBe("1 MiB");
    expect(mib(2 * 1024 ** 3)).toBe("2048 MiB");
  });
});
