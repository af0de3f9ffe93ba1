import type { ClaimedMessage } from "./claimed-message.ts";
import type { Db } from "./prisma.ts";

/**
 * Leases up to `limit` due messages, in due order (next attempt time, then id), for `leaseMs` — one
 * statement, the SQL function push_hub_claim_due (prisma/migrations/*_claim_functions), run under the claim
 * lock that also guards acks and wake-ups. Due: queued, unexpired, next attempt time come (parked ones wait at 'infinity' for
 * their uid to connect). A due message of a uid with any earlier queued message outside this claim (in
 * flight, backing off, parked, or due beyond the claim's window) is not sent ahead of it: it is deferred
 * to the latest of those messages' times (an ack brings it back at once, see markDelivered; a connect
 * wakes parked ones, see wakeUid). So each uid's stream
 * arrives in acceptance order even across retries and instance failures, while a stuck or offline uid
 * never holds back anyone else; candidates are looked at 2·limit at a time so deferring never starves
 * the rest. The lease plus the lock mean no two instances ever own the same attempt.
 */
export async function claimDue(db: Db, limit: number, leaseMs: number): Promise<ClaimedMessage[]> {
  const rows = await db.$queryRaw<ClaimedMessage[]>`
    SELECT id, to_uid AS "toUid", msg_type AS "msgType", client_type AS "clientType", msg,
           created_at AS "createdAt", attempts, lease_until AS "leaseUntil"
    FROM push_hub_claim_due(${limit}::int, ${Math.round(leaseMs)}::int)`;
  return rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
