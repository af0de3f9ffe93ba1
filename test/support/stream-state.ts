import type { TestDatabase } from "./database.ts";

/** Messages among `ids` that their uid's acked position has passed (delivered or read). */
export async function deliveredCount(db: TestDatabase, ids: string[]): Promise<number> {
  const rows = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM messages m JOIN uid_streams s ON s.uid = m.to_uid
     WHERE m.noce_ack = ANY($1::bigint[]) AND m.stream_seq <= s.acked_seq`,
    [ids],
  );
  return rows[0]!.n;
}

/** Messages of `uid` its acked position has not passed yet. */
export async function queuedCount(db: TestDatabase, uid: string): Promise<number> {
  const rows = await db.query<{ n: number }>(
    "SELECT (h.last_seq - s.acked_seq)::int AS n FROM uid_heads h JOIN uid_streams s ON s.uid = h.uid WHERE h.uid = $1",
    [uid],
  );
  return rows[0]?.n ?? 0;
}

/** A uid's delivery state as the tests look at it (its head and its position, read together). */
export interface StreamState {
  uid: string;
  /** Messages the uid has been given (its head). */
  lastSeq: number;
  ackedSeq: number;
  sentSeq: number;
  attempts: number;
  failures: number;
  parked: boolean;
  /** Due now (claimable). */
  due: boolean;
  /** Due later (backing off). */
  dueLater: boolean;
  /** Held by a live instance. */
  leased: boolean;
  /** The holding instance (null: nobody). */
  holder: string | null;
}

/** The state of every uid (or of `uids` only), by uid. */
export async function streamStates(db: TestDatabase, uids?: string[]): Promise<StreamState[]> {
  return db.query<StreamState & Record<string, unknown>>(
    `SELECT h.uid, h.last_seq::int AS "lastSeq", coalesce(s.acked_seq, 0)::int AS "ackedSeq",
            coalesce(s.sent_seq, 0)::int AS "sentSeq", h.attempts, h.failures, h.parked,
            coalesce(h.due_at <= now(), false) AS due, coalesce(h.due_at > now(), false) AS "dueLater",
            EXISTS (SELECT 1 FROM hub_instances i WHERE i.id = h.holder AND i.alive_until > now()) AS leased,
            h.holder::text AS holder
     FROM uid_heads h LEFT JOIN uid_streams s ON s.uid = h.uid
     WHERE $1::text[] IS NULL OR h.uid = ANY($1::text[]) ORDER BY h.uid`,
    [uids ?? null],
  );
}
