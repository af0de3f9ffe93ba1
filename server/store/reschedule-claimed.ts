import type { Db } from "./prisma.ts";

export interface Reschedule {
  id: bigint;
  attempts: number;
  leaseUntil: Date;
  /** When to try again; null parks the message until its uid connects. */
  nextAttemptAt: Date | null;
}

/**
 * Moves leased messages to their next attempt time — only if the lease is still the one we took
 * (same attempt, same lease end): a newer claim or a wake-up on connect wins over a stale outcome.
 */
export async function rescheduleClaimed(db: Db, items: Reschedule[]): Promise<number> {
  if (items.length === 0) return 0;
  return db.$executeRaw`
    UPDATE messages m
    SET next_attempt_at = COALESCE(f.next_at, 'infinity'), update_time = now()
    FROM unnest(
      ${items.map((i) => String(i.id))}::bigint[],
      ${items.map((i) => i.attempts)}::int[],
      ${items.map((i) => i.leaseUntil.toISOString())}::timestamptz[],
      ${items.map((i) => i.nextAttemptAt?.toISOString() ?? null)}::timestamptz[]
    ) AS f(id, attempts, lease_until, next_at)
    WHERE m.noce_ack = f.id AND m.status = 'queued' AND m.attempts = f.attempts
      AND m.next_attempt_at = f.lease_until`;
}
