import type { Db } from "./prisma.ts";

/** An ack arrived: queued → delivered, whichever attempt it answered. Returns how many changed. */
export async function markDelivered(db: Db, ids: bigint[]): Promise<number> {
  if (ids.length === 0) return 0;
  return db.$executeRaw`
    UPDATE messages SET status = 'delivered', delivered_at = now(), update_time = now()
    WHERE noce_ack = ANY(${ids.map(String)}::bigint[]) AND status = 'queued'`;
}
