/** Things to undo (stop servers, drop databases) if the run is interrupted; each runs at most once. */
export interface CleanupRegistry {
  add(fn: () => Promise<void>): () => void;
  runAll(): Promise<void>;
}

export function createCleanupRegistry(): CleanupRegistry {
  const pending = new Set<() => Promise<void>>();
  return {
    add(fn) {
      pending.add(fn);
      return () => pending.delete(fn);
    },
    async runAll() {
      const fns = [...pending].reverse();
      pending.clear();
      for (const fn of fns) await fn().catch((err: unknown) => console.error(`cleanup: ${(err as Error).message}`));
    },
  };
}
