/**
 * The events that change what an approvals query returns. A grant being used is left out: an
 * agent may use one many times a second, and a refetch each time would be a storm.
 */
const changingActions = new Set<string>([
  "approval_requested",
  "approval_decided",
  "approval_expired",
  "approval_grant_ended",
  "approval_grant_revoked",
]);

/** Pure: whether an approval event's action calls for the approvals queries to ask again. */
export const changesApprovals = (action: string) => changingActions.has(action);

export const refreshIntervalMs = 1_000;

/**
 * Runs `run`'s latest function at most once per `intervalMs`: the first call at once, later ones
 * at the end of the interval, so the last change is never dropped.
 */
export function trailingThrottle(intervalMs: number) {
  let lastAt = Number.NEGATIVE_INFINITY;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let latest: () => void = () => {};
  const fire = () => {
    timer = undefined;
    lastAt = Date.now();
    latest();
  };
  return {
    run(task: () => void) {
      latest = task;
      if (timer !== undefined) return;
      const wait = lastAt + intervalMs - Date.now();
      if (wait <= 0) fire();
      else timer = setTimeout(fire, wait);
    },
    cancel() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
