import { describe, expect, it } from "vitest";
import { sparkPoints } from "./job-metrics";

const points = (text: string) => text.split(" ").map((pair) => pair.split(",").map(Number));

describe("sparkPoints", () => {
  it("spreads the samples over the 240-wide box by time, not by index", () => {
    const xs = points(sparkPoints([1000, 1100, 2000], [1, 1, 1], 2)).map(([x]) => x);
    expect(xs).toEqual([0, 24, 240]);
  });

  it("puts the peak 1 unit under the top and zero 1 unit over the bottom of the 48-high box", () => {
    const ys = points(sparkPoints([0, 1, 2], [10, 0, 5], 10)).map(([, y]) => y);
    expect(ys).toEqual([1, 47, 24]);
  });

  it("draws a negative reading at zero", () => {
    expect(points(sparkPoints([0, 1], [-5, 0], 10)).map(([, y]) => y)).toEqual([47, 47]);
  });

  it("does not divide by zero when every sample has the same time", () => {
    expect(sparkPoints([5, 5], [0, 0], 1)).toBe("0.0,47.0 0.0,47.0");
  });
});
