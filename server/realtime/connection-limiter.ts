import { GroupedMap } from "../lib/grouped-map.ts";

/** Caps the open sockets of one uid (MAX_SOCKETS_PER_UID). */
export interface ConnectionLimiter {
  /** Reserves a slot for `socketId`; false when the uid already has `max` sockets. Never rejects. */
  acquire(uid: string, socketId: string): Promise<boolean>;
  /** Frees the slot (idempotent). */
  release(uid: string, socketId: string): void;
  /** Other instances with a socket of the uid (never rejects: empty when it cannot tell). */
  instancesOf(uid: string): Promise<string[]>;
  close(): void;
}

/** Counts the sockets of this instance only (no Redis). */
export function createLocalConnectionLimiter(max: number): ConnectionLimiter {
  const byUid = new GroupedMap<true>();
  return {
    async acquire(uid, socketId) {
      if (byUid.size(uid) >= max) return false;
      byUid.set(uid, socketId, true);
      return true;
    },
    release(uid, socketId) {
      byUid.delete(uid, socketId);
    },
    // Without Redis this is the only instance.
    instancesOf: async () => [],
    close() {
      byUid.clear();
    },
  };
}
