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

/**
 * A registry whose clean-ups run on the first SIGINT/SIGTERM (then exit 130; a second signal exits at
 * once). `what` says what is being undone.
 */
export function createInterruptCleanup(what: string): CleanupRegistry {
  const cleanup = createCleanupRegistry();
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    console.error(`\ninterrupted: ${what}…`);
    void cleanup.runAll().then(() => process.exit(130));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return cleanup;
}
