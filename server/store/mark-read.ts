import { MESSAGE_EXPIRED } from "./message-expired.ts";
import type { Db } from "./prisma.ts";
import { failAsUnavailable } from "./store-unavailable-error.ts";

/**
 * The uid's own client read these. Foreign, unknown, already read or expired-undelivered ids change
 * nothing. Read state is the one change a message row ever gets (rare: a user action, not delivery).
 * Rejects with a StoreUnavailableError when the database fails.
 */
export async function markRead(db: Db, uid: string, ids: bigint[]): Promise<number> {
  if (ids.length === 0) return 0;
  return db.$executeRaw`
    UPDATE messages m SET read_at = now(), update_time = now()
    WHERE m.noce_ack = ANY(${ids.map(String)}::bigint[]) AND m.to_uid = ${uid} AND m.read_at IS NULL
      AND (NOT ${MESSAGE_EXPIRED}
           OR m.stream_seq <= (SELECT s.acked_seq FROM uid_streams s WHERE s.uid = ${uid}))`.catch(
    failAsUnavailable("could not mark messages read"),
  );
}
