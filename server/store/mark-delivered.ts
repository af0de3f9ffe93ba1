import type { Db } from "./prisma.ts";

/**
 * An ack arrived: queued → delivered, whichever attempt it answered; messages of the same uids that a
 * claim deferred behind an in-flight one (never attempted) become due now. One statement under the claim
 * lock (SQL function push_hub_mark_delivered), so a claim never sees half of it.
 */
export async function markDelivered(db: Db, acked: { id: bigint; toUid: string }[]): Promise<{ delivered: number; woke: number }> {
  if (acked.length === 0) return { delivered: 0, woke: 0 };
  const [row] = await db.$queryRaw<{ delivered: number; woke: number }[]>`
    SELECT delivered, woke FROM push_hub_mark_delivered(
      ${acked.map((a) => String(a.id))}::bigint[], ${[...new Set(acked.map((a) => a.toUid))]}::text[])`;
  return row ?? { delivered: 0, woke: 0 };
}
