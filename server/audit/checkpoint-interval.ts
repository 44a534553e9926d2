import { z } from "zod";
import { AppError } from "../errors";

const interval = z.coerce.number().int().min(100).max(3_600_000);

/**
 * CLAW_AUDIT_CHECKPOINT_MS: how often a checkpoint is signed when there are new rows (10 s unless
 * set). Tests shorten it to see a checkpoint tick without waiting for one.
 */
export function checkpointIntervalFromEnv(
  env: Record<string, string | undefined> = process.env,
): number | undefined {
  const raw = env.CLAW_AUDIT_CHECKPOINT_MS;
  if (raw === undefined || raw === "") return undefined;
  const parsed = interval.safeParse(raw);
  if (!parsed.success) {
    throw new AppError(
      "BAD_REQUEST",
      `CLAW_AUDIT_CHECKPOINT_MS is ${JSON.stringify(raw)}: it takes whole milliseconds from 100 to 3600000`,
      {
        fix: "Set it to a number in that range, or unset it for the default of 10000.",
      },
    );
  }
  return parsed.data;
}
