/**
 * Ids of messages cancelled lately, so a session does not send one it read before the cancel (its
 * window is read ahead of the acks). Entries live as long as a lease can (a session reading the
 * message later reads it without it: the cancel moved its expiry to the past).
 */
export function createCancelledIds(ttlMs: number, now: () => number = Date.now) {
  const until = new Map<bigint, number>();
  const prune = () => {
    const t = now();
    for (const [id, end] of until) if (end <= t) until.delete(id);
  };
  return {
    add(ids: Iterable<bigint>): void {
      if (until.size > 10_000) prune();
      const end = now() + ttlMs;
      for (const id of ids) until.set(id, end);
    },
    has(id: bigint): boolean {
      if (until.size === 0) return false;
      const end = until.get(id);
      if (end === undefined) return false;
      if (end > now()) return true;
      until.delete(id);
      return false;
    },
    get size(): number {
      return until.size;
    },
  };
}
