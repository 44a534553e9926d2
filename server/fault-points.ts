/**
 * Test hook for the crash suite (test/crash.test.ts), never set in normal use: when the panel is
 * started with CLAW_FAULT_POINT=<point> (or <point>@<n>, the n-th time it is reached), it kills
 * itself with SIGKILL there — no cleanup, no shutdown handler, as a power cut or the OOM killer
 * would — so the next start's recovery can be tested at exactly that place. Without the variable
 * every call is a no-op.
 */
export const faultPointNames = [
  // create-agent.ts
  "create:temp-written",
  "create:folder-renamed",
  "create:row-committed",
  // agent-lifecycle.ts, startAgent
  "start:container-created",
  "start:container-started",
  // agent-lifecycle.ts, stopAgent
  "stop:container-stopped",
  // delete-agent.ts
  "delete:container-removed",
  "delete:folder-trashed",
  // agent-policy.ts, relockAgent
  "relock:lock-written",
  // jobs/job-launch.ts
  "job:container-created",
  "job:container-started",
] as const;

export type FaultPointName = (typeof faultPointNames)[number];

// Read once: the hook is fixed for the life of the process.
const armed = parseArmed(process.env.CLAW_FAULT_POINT);
let hits = 0;

function parseArmed(value: string | undefined): { name: string; nth: number } | undefined {
  if (!value) return undefined;
  const [name = "", nth] = value.split("@");
  return { name, nth: nth ? Math.max(1, Number.parseInt(nth, 10) || 1) : 1 };
}

export function faultPoint(name: FaultPointName): void {
  if (armed?.name !== name || ++hits < armed.nth) return;
  // stderr is a pipe or a file: written synchronously, so the line is there after the kill.
  console.error(`claw: fault point ${name} reached (CLAW_FAULT_POINT): killing the panel with SIGKILL`);
  process.kill(process.pid, "SIGKILL");
  // The signal is delivered at once; run nothing more meanwhile.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10_000);
}
