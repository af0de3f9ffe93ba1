import type { Db } from "./prisma.ts";

/**
 * A socket of `uid` joined its room: everything still queued for it becomes due now, including
 * parked messages and ones whose emit may have raced the join. Returns how many woke.
 */
export async function wakeUid(db: Db, uid: string): Promise<number> {
  return db.$executeRaw`
    UPDATE messages SET next_attempt_at = now(), update_time = now()
    WHERE to_uid = ${uid} AND status = 'queued' AND next_attempt_at > now()
      AND (expires_at IS NULL OR expires_at > now())`;
}
