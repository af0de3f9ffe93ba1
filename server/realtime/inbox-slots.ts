/** Caps the inbox requests (sync, read, readUpTo) one uid runs at once (INBOX_MAX_PER_UID). */
export interface InboxSlots {
  /** Takes a slot of `uid` for request `requestId`; false when the uid has `max` running. Never rejects. */
  acquire(uid: string, requestId: string): Promise<boolean>;
  /** Gives the slot back (idempotent). */
  release(uid: string, requestId: string): void;
}

/** Counts this instance's requests only (no Redis). */
export function createLocalInboxSlots(max: number): InboxSlots {
  const running = new Map<string, Set<string>>();
  return {
    async acquire(uid, requestId) {
      const ids = running.get(uid) ?? new Set<string>();
      if (ids.size >= max) return false;
      ids.add(requestId);
      running.set(uid, ids);
      return true;
    },
    release(uid, requestId) {
      const ids = running.get(uid);
      if (!ids?.delete(requestId)) return;
      if (ids.size === 0) running.delete(uid);
    },
  };
}

