import { describe, expect, it } from "vitest";
import { checkpointIntervalFromEnv } from "./checkpoint-interval";

describe("CLAW_AUDIT_CHECKPOINT_MS", () => {
  it("is the default when unset, a number of milliseconds when set, and a clear error otherwise", () => {
    expect(checkpointIntervalFromEnv({})).toBeUndefined();
    expect(checkpointIntervalFromEnv({ CLAW_AUDIT_CHECKPOINT_MS: "1000" })).toBe(1000);
    expect(() => checkpointIntervalFromEnv({ CLAW_AUDIT_CHECKPOINT_MS: "soon" })).toThrow(
      'CLAW_AUDIT_CHECKPOINT_MS is "soon": it takes whole milliseconds from 100 to 3600000',
    );
    expect(() => checkpointIntervalFromEnv({ CLAW_AUDIT_CHECKPOINT_MS: "5" })).toThrow(/from 100/);
  });
});
