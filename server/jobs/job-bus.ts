/** What the page and the WebSocket hear about a job: new output lines (by index) and status changes. */
export type JobUpdate =
  | { type: "events"; from: number; lines: string[] }
  | { type: "status"; status: string };

export type JobBus = {
  emit(jobId: string, update: JobUpdate): void;
  /** Hears the job's updates until the returned function is called. */
  subscribe(jobId: string, listener: (update: JobUpdate) => void): () => void;
};

export function createJobBus(): JobBus {
  const listeners = new Map<string, Set<(update: JobUpdate) => void>>();
  return {
    // A listener (a WebSocket) that throws is logged: this runs inside the container's stream handler.
    emit(jobId, update) {
      for (const listener of listeners.get(jobId) ?? []) {
        try {
          listener(update);
        } catch (error) {
          console.error(`claw: job ${jobId}: a listener failed: ${(error as Error).message}`);
        }
      }
    },
    subscribe(jobId, listener) {
      const set = listeners.get(jobId) ?? new Set();
      listeners.set(jobId, set);
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(jobId);
      };
    },
  };
}
