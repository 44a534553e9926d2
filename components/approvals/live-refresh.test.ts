import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { changesApprovals, trailingThrottle } from "./live-refresh";

describe("changesApprovals", () => {
  it.each([
    "approval_requested",
    "approval_decided",
    "approval_expired",
    "approval_grant_ended",
    "approval_grant_revoked",
  ])("refreshes on %s", (action) => {
    expect(changesApprovals(action)).toBe(true);
  });

  it("does not refresh on a grant being used", () => {
    expect(changesApprovals("approval_grant_used")).toBe(false);
  });
});

describe("trailingThrottle", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("runs the first call at once, then at most once a second, keeping the last call", () => {
    const throttle = trailingThrottle(1_000);
    const ran: number[] = [];
    throttle.run(() => ran.push(1));
    expect(ran).toEqual([1]);
    for (let call = 2; call <= 50; call++) throttle.run(() => ran.push(call));
    expect(ran).toEqual([1]);
    vi.advanceTimersByTime(999);
    expect(ran).toEqual([1]);
    vi.advanceTimersByTime(1);
    expect(ran).toEqual([1, 50]);
    // A call a second after the last run goes at once again.
    vi.advanceTimersByTime(1_000);
    throttle.run(() => ran.push(51));
    expect(ran).toEqual([1, 50, 51]);
  });

  it("runs nothing pending once cancelled", () => {
    const throttle = trailingThrottle(1_000);
    const ran: number[] = [];
    throttle.run(() => ran.push(1));
    throttle.run(() => ran.push(2));
    throttle.cancel();
    vi.advanceTimersByTime(5_000);
    expect(ran).toEqual([1]);
  });
});
