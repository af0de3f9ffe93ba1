import type { Db } from "./prisma.ts";

/** The uid's own client read these: → read (implies delivered). Foreign or unknown ids change nothing. */
export async function markRead(db: Db, uid: string, ids: bigint[]): Promise<number> {
  if (ids.length === 0) return 0;
  return db.$executeRaw`
    UPDATE messages
    SET status = 'read', read_at = now(), delivered_at = COALESCE(delivered_at, now()), update_time = now()
    WHERE noce_ack = ANY(${ids.map(String)}::bigint[]) AND to_uid = ${uid}
      AND status IN ('queued', 'delivered')`;
}
