import type { ClaimedMessage } from "./claimed-message.ts";
import type { Db } from "./prisma.ts";

/**
 * Serialises claims across instances (each takes a few ms): every claim sees the leases of the claims
 * before it, which is what makes the per-uid order rule below hold across instances.
 */
export const CLAIM_LOCK_KEY = 7_246_337_001;

interface Candidate {
  id: bigint;
  toUid: string;
}

interface Blocker {
  toUid: string;
  first: bigint;
}

/**
 * Leases up to `limit` due messages, oldest first, for `leaseMs`. Due: queued, unexpired, next attempt
 * time come (parked ones wait at 'infinity' for their uid to connect). A due message of a uid whose
 * earlier message is still in flight, backing off or parked is not sent ahead of it: it is deferred to
 * that message's next attempt time (an ack brings it back at once, see markDelivered; a connect wakes
 * parked ones, see wakeUid). So each uid's stream
 * arrives in acceptance order, even across retries and instance failures, while a stuck or offline uid
 * never holds back anyone else.
 */
export async function claimDue(db: Db, limit: number, leaseMs: number): Promise<ClaimedMessage[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await claimOnce(db, limit, leaseMs);
    } catch (error) {
      // Repeatable read: a row changed under the snapshot (e.g. read at that moment). Just claim again.
      if (attempt >= 3 || !isSerializationFailure(error)) throw error;
    }
  }
}

function isSerializationFailure(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e.code === "P2034" || /could not serialize|40001/.test(e.message ?? "");
}

/** One snapshot (repeatable read) for candidates and blockers, so the order check sees one moment. */
async function claimOnce(db: Db, limit: number, leaseMs: number): Promise<ClaimedMessage[]> {
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${CLAIM_LOCK_KEY}::bigint)`;
    const candidates = await tx.$queryRaw<Candidate[]>`
      SELECT noce_ack AS id, to_uid AS "toUid" FROM messages
      WHERE status = 'queued' AND next_attempt_at <= now() AND COALESCE(expires_at, 'infinity') > now()
      ORDER BY noce_ack
      LIMIT ${limit * 2}`;
    if (candidates.length === 0) return [];
    const uids = [...new Set(candidates.map((c) => c.toUid))];
    const blockers = await tx.$queryRaw<Blocker[]>`
      SELECT to_uid AS "toUid", min(noce_ack) AS first FROM messages
      WHERE to_uid = ANY(${uids}::text[]) AND status = 'queued'
        AND next_attempt_at > now() AND COALESCE(expires_at, 'infinity') > now()
      GROUP BY to_uid`;
    const firstInFlight = new Map(blockers.map((b) => [b.toUid, b.first]));
    const blocked = candidates.filter((c) => (firstInFlight.get(c.toUid) ?? c.id) < c.id);
    const ready = candidates.filter((c) => !blocked.includes(c)).slice(0, limit);
    if (blocked.length > 0) {
      // Behind the latest pending attempt of the uid ('infinity' when parked: woken with the backlog).
      await tx.$executeRaw`
        UPDATE messages m SET next_attempt_at = b.until, update_time = now()
        FROM (
          SELECT to_uid, max(next_attempt_at) AS until FROM messages
          WHERE to_uid = ANY(${[...new Set(blocked.map((c) => c.toUid))]}::text[]) AND status = 'queued'
            AND next_attempt_at > now()
          GROUP BY to_uid
        ) b
        WHERE m.noce_ack = ANY(${blocked.map((c) => String(c.id))}::bigint[]) AND m.to_uid = b.to_uid
          AND m.status = 'queued'`;
    }
    if (ready.length === 0) return [];
    const rows = await tx.$queryRaw<ClaimedMessage[]>`
      UPDATE messages
      SET next_attempt_at = now() + make_interval(secs => ${leaseMs / 1000}), attempts = attempts + 1, update_time = now()
      WHERE noce_ack = ANY(${ready.map((c) => String(c.id))}::bigint[]) AND status = 'queued' AND next_attempt_at <= now()
      RETURNING noce_ack AS id, to_uid AS "toUid", msg_type AS "msgType", client_type AS "clientType",
                msg_extend AS msg, create_time AS "createdAt", attempts, next_attempt_at AS "leaseUntil"`;
    return rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }, { timeout: 15000, maxWait: 15000, isolationLevel: "RepeatableRead" });
}
