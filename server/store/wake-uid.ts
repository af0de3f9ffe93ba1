import { CLAIM_LOCK_KEY } from "./claim-due.ts";
import type { Db } from "./prisma.ts";

/**
 * A socket of `uid` joined its room: everything still queued for it becomes due now — parked and
 * deferred messages, and ones whose emit may have raced the join. Taken under the claim lock, so a
 * claim running at the same moment cannot park a message behind this wake-up. Returns how many woke.
 */
export async function wakeUid(db: Db, uid: string): Promise<number> {
  const [, woke] = await db.$transaction([
    db.$executeRaw`SELECT pg_advisory_xact_lock(${CLAIM_LOCK_KEY}::bigint)`,
    db.$executeRaw`
      UPDATE messages SET next_attempt_at = now(), update_time = now()
      WHERE to_uid = ${uid} AND status = 'queued' AND next_attempt_at > now()
        AND COALESCE(expires_at, 'infinity') > now()`,
  ]);
  return woke;
}
