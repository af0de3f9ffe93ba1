import { GroupedMap } from "../lib/grouped-map.ts";
import type { DeliveryTarget } from "./delivery-target.ts";

/** The sockets each uid has on this instance, as delivery targets. */
export function createLocalSockets() {
  const byUid = new GroupedMap<DeliveryTarget>();
  return {
    add(uid: string, target: DeliveryTarget): void {
      byUid.set(uid, target.key, target);
    },
    /** Returns whether the uid has sockets here left. */
    remove(uid: string, key: string): boolean {
      byUid.delete(uid, key);
      return byUid.has(uid);
    },
    of: (uid: string): DeliveryTarget[] => byUid.values(uid),
    has: (uid: string): boolean => byUid.has(uid),
    uids: (): string[] => [...byUid.keys()],
  };
}

export type LocalSockets = ReturnType<typeof createLocalSockets>;
