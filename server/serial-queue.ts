/**
 * Runs the steps given for one key one after another, in the order given; steps for other keys
 * run alongside. A step that fails rejects its own caller only: the next one still runs.
 */
export function createSerialQueue() {
  const tails = new Map<string, Promise<unknown>>();
  return <T>(key: string, step: () => Promise<T>): Promise<T> => {
    const next = (tails.get(key) ?? Promise.resolve()).catch(() => {}).then(step);
    tails.set(key, next);
    void next
      .finally(() => {
        if (tails.get(key) === next) tails.delete(key);
      })
      .catch(() => {});
    return next;
  };
}
