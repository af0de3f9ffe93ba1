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
  const byUid = new Map<string, Set<string>>();
  return {
    async acquire(uid, socketId) {
      const sockets = byUid.get(uid) ?? new Set<string>();
      if (sockets.size >= max) return false;
      sockets.add(socketId);
      byUid.set(uid, sockets);
      return true;
    },
    release(uid, socketId) {
      const sockets = byUid.get(uid);
      if (!sockets) return;
      sockets.delete(socketId);
      if (sockets.size === 0) byUid.delete(uid);
    },
    // Without Redis this is the only instance.
    instancesOf: async () => [],
    close() {
      byUid.clear();
    },
  };
}
