import { describe, expect, it } from "vitest";
import { createSerialQueue } from "./serial-queue";

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe("createSerialQueue", () => {
  it("runs one key's steps one after another, in order, and other keys alongside", async () => {
    const serially = createSerialQueue();
    const log: string[] = [];
    const step = (name: string) => async () => {
      log.push(`${name} start`);
      await tick();
      log.push(`${name} end`);
      return name;
    };
    const results = await Promise.all([
      serially("a", step("a1")),
      serially("a", step("a2")),
      serially("b", step("b1")),
      serially("a", step("a3")),
    ]);
    expect(results).toEqual(["a1", "a2", "b1", "a3"]);
    const ofA = log.filter((line) => line.startsWith("a"));
    expect(ofA).toEqual(["a1 start", "a1 end", "a2 start", "a2 end", "a3 start", "a3 end"]);
    // b did not wait for a.
    expect(log.indexOf("b1 start")).toBeLessThan(log.indexOf("a1 end"));
  });

  it("rejects a failed step's own caller and still runs the next", async () => {
    const serially = createSerialQueue();
    const failed = serially("a", async () => {
      await tick();
      throw new Error("relock failed");
    });
    const next = serially("a", async () => "ran");
    await expect(failed).rejects.toThrow("relock failed");
    await expect(next).resolves.toBe("ran");
    await expect(serially("a", async () => "and later")).resolves.toBe("and later");
  });
});
