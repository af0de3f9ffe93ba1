import type { Db } from "./prisma.ts";

/** Marks up to `limit` queued messages past their expiry as expired. Returns how many. */
export async function expireDue(db: Db, limit: number): Promise<number> {
  return db.$executeRaw`
    UPDATE messages SET status = 'expired', update_time = now()
    WHERE noce_ack IN (
      SELECT noce_ack FROM messages
      WHERE status = 'queued' AND expires_at <= now()
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    )`;
}
