import type { ClaimedMessage } from "./claimed-message.ts";
import type { Db } from "./prisma.ts";

/** Serialises claims across instances (a few ms each) so per-uid order cannot interleave. */
const CLAIM_LOCK_KEY = 7_246_337_001;

/**
 * Leases up to `limit` due messages, oldest first, for `leaseMs`. A message is due when it is queued,
 * unexpired, its next attempt time has come (parked ones wait at 'infinity' for their uid to connect),
 * and no earlier message of its uid is still in flight — that keeps each uid's stream in order, while
 * a stuck or offline uid never holds back anyone else's messages.
 */
export async function claimDue(db: Db, limit: number, leaseMs: number): Promise<ClaimedMessage[]> {
  const [, rows] = await db.$transaction([
    db.$executeRaw`SELECT pg_advisory_xact_lock(${CLAIM_LOCK_KEY}::bigint)`,
    db.$queryRaw<ClaimedMessage[]>`
      WITH due AS (
        SELECT m.noce_ack FROM messages m
        WHERE m.status = 'queued' AND m.next_attempt_at <= now()
          AND (m.expires_at IS NULL OR m.expires_at > now())
          AND NOT EXISTS (
            SELECT 1 FROM messages p
            WHERE p.to_uid = m.to_uid AND p.status = 'queued' AND p.noce_ack < m.noce_ack
              AND p.next_attempt_at > now() AND p.next_attempt_at <> 'infinity'
              AND (p.expires_at IS NULL OR p.expires_at > now())
          )
        ORDER BY m.noce_ack
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED
      )
      UPDATE messages m
      SET next_attempt_at = now() + make_interval(secs => ${leaseMs / 1000}),
          attempts = m.attempts + 1,
          update_time = now()
      FROM due WHERE m.noce_ack = due.noce_ack
      RETURNING m.noce_ack AS id, m.to_uid AS "toUid", m.msg_type AS "msgType", m.client_type AS "clientType",
                m.msg_extend AS msg, m.create_time AS "createdAt", m.attempts, m.next_attempt_at AS "leaseUntil"`,
  ]);
  return rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
