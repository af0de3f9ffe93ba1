import { GroupedMap } from "../../lib/grouped-map.ts";
import { createThrottledWarning } from "../../lib/throttled-warning.ts";
import type { PresenceChange, PresenceTracker, PresenceTrackerDeps } from "./presence-tracker.ts";

/** A uid announced online: `leftAt` is set while its last socket is gone and the debounce runs. */
interface Announced {
  leftAt?: number;
}

/**
 * Presence for a hub without Redis (the only instance): every socket is here, so a Map of announced uids
 * and a sweep of the debouncing ones decide the transitions. Same semantics as the Redis tracker.
 */
export function createLocalPresenceTracker(deps: PresenceTrackerDeps & { sweepMs?: number }): PresenceTracker {
  const now = deps.now ?? Date.now;
  const sockets = new GroupedMap<true>();
  const announced = new Map<string, Announced>();
  const debouncing = new Set<string>();
  const pending = new Set<Promise<void>>();
  const warnRecord = createThrottledWarning(deps.logger);
  let closed = false;
  let sweeping: Promise<void> | undefined;

  const track = (work: Promise<void>) => {
    const p: Promise<void> = work
      .catch((err: unknown) => deps.logger.error({ err }, "presence tracker failed"))
      .finally(() => pending.delete(p));
    pending.add(p);
  };

  async function announceOnline(online: { change: PresenceChange; entry: Announced }[]) {
    try {
      await deps.record(online.map((o) => o.change));
    } catch (err) {
      warnRecord({ err: (err as Error).message }, "could not record user.online; it is announced on the next connect");
      // Forgotten, so the next accepted socket announces it again; its leave then reports nothing.
      for (const { change, entry } of online) {
        if (announced.get(change.uid) !== entry) continue;
        announced.delete(change.uid);
        debouncing.delete(change.uid);
      }
    }
  }

  async function sweep() {
    const t = now();
    const due: { uid: string; entry: Announced; leftAt: number }[] = [];
    for (const uid of debouncing) {
      const entry = announced.get(uid);
      if (entry?.leftAt !== undefined && entry.leftAt + deps.debounceMs <= t) due.push({ uid, entry, leftAt: entry.leftAt });
    }
    if (due.length === 0) return;
    try {
      await deps.record(due.map(({ uid, leftAt }) => ({ type: "user.offline", uid, at: new Date(leftAt) })));
    } catch (err) {
      warnRecord({ err: (err as Error).message }, "could not record user.offline; retrying");
      return;
    }
    const back: { change: PresenceChange; entry: Announced }[] = [];
    for (const { uid, entry, leftAt } of due) {
      if (announced.get(uid) !== entry) continue;
      if (entry.leftAt === leftAt) {
        announced.delete(uid);
        debouncing.delete(uid);
      } else {
        // It reconnected while the offline was being recorded: the receiver must hear it is back.
        back.push({ change: { type: "user.online", uid, at: new Date(now()) }, entry });
      }
    }
    if (back.length > 0) await announceOnline(back);
  }

  const timer = setInterval(() => {
    if (sweeping || debouncing.size === 0) return;
    sweeping = sweep()
      .catch((err: unknown) => deps.logger.error({ err }, "presence sweep failed"))
      .finally(() => (sweeping = undefined));
  }, deps.sweepMs ?? 1000);
  timer.unref();

  return {
    joined(uid, socketId) {
      if (closed) return;
      try {
        sockets.set(uid, socketId, true);
        const entry = announced.get(uid);
        if (entry) {
          delete entry.leftAt;
          debouncing.delete(uid);
          return;
        }
        if (!deps.wanted()) return;
        const fresh: Announced = {};
        announced.set(uid, fresh);
        track(announceOnline([{ change: { type: "user.online", uid, at: new Date(now()) }, entry: fresh }]));
      } catch (err) {
        deps.logger.error({ err }, "presence tracker failed");
      }
    },
    left(uid, socketId) {
      if (closed) return;
      try {
        if (!sockets.delete(uid, socketId) || sockets.has(uid)) return;
        const entry = announced.get(uid);
        if (!entry) return;
        entry.leftAt = now();
        debouncing.add(uid);
      } catch (err) {
        deps.logger.error({ err }, "presence tracker failed");
      }
    },
    async close() {
      closed = true;
      clearInterval(timer);
      await sweeping;
      await Promise.all(pending);
      sockets.clear();
      announced.clear();
      debouncing.clear();
    },
  };
}
