import type { Db } from "./prisma.ts";

/**
 * Parked messages of uids that have sockets here become due again. A safety net for attempts that saw
 * an empty room although the uid was connected (e.g. while the adapter resubscribed after a Redis
 * restart, instances briefly under-count each other). Returns how many woke.
 */
export async function wakeParked(db: Db, uids: string[]): Promise<number> {
  if (uids.length === 0) return 0;
  return db.$executeRaw`
    UPDATE messages SET next_attempt_at = now(), update_time = now()
    WHERE to_uid = ANY(${uids}::text[]) AND status = 'queued' AND next_attempt_at = 'infinity'`;
}
