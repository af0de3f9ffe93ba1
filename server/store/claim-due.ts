import type { ClaimedMessage } from "./claimed-message.ts";
import type { Db } from "./prisma.ts";

/**
 * Serialises claims across instances (each takes a few ms): a later claim starts after an earlier one
 * has committed, and its instance emits right after — so consecutive batches of one uid do not overtake
 * each other on their way to the client.
 */
const CLAIM_LOCK_KEY = 7_246_337_001;

/**
 * Leases up to `limit` due messages for `leaseMs`: queued, unexpired, their next attempt time come
 * (parked ones wait at 'infinity' for their uid to connect). Due order is (next_attempt_at, id), which
 * the messages_due_idx index yields without sorting; within one due time it is acceptance order.
 * SKIP LOCKED plus the lease mean no two instances ever own the same attempt.
 */
export async function claimDue(db: Db, limit: number, leaseMs: number): Promise<ClaimedMessage[]> {
  const [, rows] = await db.$transaction([
    db.$executeRaw`SELECT pg_advisory_xact_lock(${CLAIM_LOCK_KEY}::bigint)`,
    db.$queryRaw<(ClaimedMessage & { dueAt: Date })[]>`
      WITH due AS (
        SELECT noce_ack, next_attempt_at FROM messages
        WHERE status = 'queued' AND next_attempt_at <= now()
          AND (expires_at IS NULL OR expires_at > now())
        ORDER BY next_attempt_at, noce_ack
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED
      )
      UPDATE messages m
      SET next_attempt_at = now() + make_interval(secs => ${leaseMs / 1000}),
          attempts = m.attempts + 1,
          update_time = now()
      FROM due WHERE m.noce_ack = due.noce_ack
      RETURNING m.noce_ack AS id, m.to_uid AS "toUid", m.msg_type AS "msgType", m.client_type AS "clientType",
                m.msg_extend AS msg, m.create_time AS "createdAt", m.attempts, m.next_attempt_at AS "leaseUntil",
                due.next_attempt_at AS "dueAt"`,
  ]);
  rows.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return rows.map(({ dueAt: _dueAt, ...m }) => m);
}
