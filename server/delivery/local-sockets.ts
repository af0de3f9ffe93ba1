import type { DeliveryTarget } from "./delivery-target.ts";

/** The sockets each uid has on this instance, as delivery targets. */
export function createLocalSockets() {
  const byUid = new Map<string, Map<string, DeliveryTarget>>();
  return {
    add(uid: string, target: DeliveryTarget): void {
      let mine = byUid.get(uid);
      if (!mine) byUid.set(uid, (mine = new Map()));
      mine.set(target.key, target);
    },
    /** Returns whether the uid has sockets here left. */
    remove(uid: string, key: string): boolean {
      const mine = byUid.get(uid);
      if (!mine) return false;
      mine.delete(key);
      if (mine.size === 0) byUid.delete(uid);
      return mine.size > 0;
    },
    of: (uid: string): DeliveryTarget[] => [...(byUid.get(uid)?.values() ?? [])],
    has: (uid: string): boolean => byUid.has(uid),
    uids: (): string[] => [...byUid.keys()],
  };
}

export type LocalSockets = ReturnType<typeof createLocalSockets>;
