import { describe, expect, it } from "vitest";
import { fixOf, readableError } from "./action-error";

describe("fixOf", () => {
  it("reads the fix the server attached", () => {
    expect(
      fixOf({
        message: "Podman is away",
        data: { code: "PODMAN_UNREACHABLE", fix: "podman system service" },
      }),
    ).toBe("podman system service");
  });

  it("has none without an error, without data or with a fix that is not text", () => {
    expect(fixOf(null)).toBeUndefined();
    expect(fixOf(undefined)).toBeUndefined();
    expect(fixOf({ message: "x" })).toBeUndefined();
    expect(fixOf({ message: "x", data: null })).toBeUndefined();
    expect(fixOf({ message: "x", data: "fix" })).toBeUndefined();
    expect(fixOf({ message: "x", data: { fix: 42 } })).toBeUndefined();
  });
});

describe("readableError", () => {
  it("says a refused input's issues as lines, named by their path where they have one", () => {
    const error = {
      message: '[{"code":"too_big","path":["prompt"]}]',
      data: {
        issues: [
          { path: "prompt", message: "Too big: at most 100000 characters" },
          { path: "", message: "Unrecognized key: extra" },
        ],
      },
    };
    expect(readableError(error)?.message).toBe(
      "prompt: Too big: at most 100000 characters\nUnrecognized key: extra",
    );
  });

  it("keeps the data, so a fix still shows", () => {
    const data = { issues: [{ path: "a", message: "b" }], fix: "do this" };
    const readable = readableError({ message: "raw", data });
    expect(readable?.data).toBe(data);
    expect(fixOf(readable)).toBe("do this");
  });

  it("passes any other error through untouched", () => {
    const plain = { message: "Podman is away", data: { fix: "start it" } };
    expect(readableError(plain)).toBe(plain);
    const noIssues = { message: "raw", data: { issues: [] } };
    expect(readableError(noIssues)).toBe(noIssues);
    const notAList = { message: "raw", data: { issues: "prompt" } };
    expect(readableError(notAList)).toBe(notAList);
    expect(readableError(null)).toBeNull();
  });
});
