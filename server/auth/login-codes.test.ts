import { describe, expect, it } from "vitest";
import { createLoginCodes, loginCodeLifetimeMs, loginUrl } from "./login-codes";

describe("createLoginCodes", () => {
  it("issues 32 random bytes, base64url, that work exactly once", () => {
    const codes = createLoginCodes();
    const { code, expiresAt } = codes.issue(1_000);
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(expiresAt.getTime()).toBe(1_000 + loginCodeLifetimeMs);
    expect(codes.issue(1_000).code).not.toBe(code);
    expect(codes.redeem(code, 2_000)).toBe(true);
    expect(codes.redeem(code, 2_000)).toBe(false);
  });

  it("refuses an expired code and one it never issued", () => {
    const codes = createLoginCodes({ lifetimeMs: 10_000 });
    const { code } = codes.issue(0);
    expect(codes.redeem(code, 10_000)).toBe(false);
    expect(codes.redeem("a".repeat(43), 1)).toBe(false);
    expect(codes.redeem("", 1)).toBe(false);
  });

  it("keeps a bounded number of unused codes, forgetting the oldest", () => {
    const codes = createLoginCodes();
    const first = codes.issue(0).code;
    const issued = Array.from({ length: 100 }, () => codes.issue(0).code);
    expect(codes.redeem(first, 1)).toBe(false);
    expect(codes.redeem(issued.at(-1) ?? "", 1)).toBe(true);
  });
});

describe("loginUrl", () => {
  it("keeps the code in the fragment, which browsers never send", () => {
    expect(loginUrl(7878, "c0de")).toBe("http://127.0.0.1:7878/login#code=c0de");
  });
});
