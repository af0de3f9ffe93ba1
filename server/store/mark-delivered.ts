import { CLAIM_LOCK_KEY } from "./claim-due.ts";
import type { Db } from "./prisma.ts";

/**
 * An ack arrived: queued → delivered, whichever attempt it answered. Messages of the same uids that a
 * claim deferred behind an in-flight one (never attempted, due later) become due now. Returns how many
 * were marked delivered.
 */
export async function markDelivered(db: Db, acked: { id: bigint; toUid: string }[]): Promise<number> {
  if (acked.length === 0) return 0;
  const [, delivered] = await db.$transaction([
    // Under the claim lock: a claim deciding what is blocked never sees half of this change.
    db.$executeRaw`SELECT pg_advisory_xact_lock(${CLAIM_LOCK_KEY}::bigint)`,
    db.$executeRaw`
      UPDATE messages SET status = 'delivered', delivered_at = now(), update_time = now()
      WHERE noce_ack = ANY(${acked.map((a) => String(a.id))}::bigint[]) AND status = 'queued'`,
    db.$executeRaw`
      UPDATE messages SET next_attempt_at = now(), update_time = now()
      WHERE to_uid = ANY(${[...new Set(acked.map((a) => a.toUid))]}::text[]) AND status = 'queued' AND attempts = 0
        AND next_attempt_at > now() AND next_attempt_at < 'infinity'`,
  ]);
  return delivered;
}
