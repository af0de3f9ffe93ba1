import { Prisma } from "../generated/prisma/client.ts";
import type { AcceptOutcome, AcceptRequest } from "./new-message.ts";

/** The one row the accept statement returns (and a retried commit reads back from its token). */
export type AcceptRow = {
  outcomes: AcceptOutcome[] | null;
  ids: (bigint | string)[] | null;
  counts: number[] | null;
  s_uid: string[] | null;
  s_holder: string[] | null;
  s_lease: (bigint | string)[] | null;
  s_first: (bigint | string)[] | null;
  s_total: (bigint | string)[] | null;
  s_cleared: (bigint | string)[] | null;
  created_at: Date | null;
};

/**
 * The statement that stores a group commit's messages (docs/design.md §4.1), one round trip:
 * 1. one head upsert per uid, in uid order: it locks the uid (serialising its accepts) and allocates its
 *    seqs; a head with no holder and nothing scheduled (idle) becomes parked — nobody holds the uid, so
 *    nobody is connected (a connect grants its head before anything else) and the messages wait for it;
 *    a held head is not written beyond last_seq, and its holder and lease come back to hand the
 *    messages over;
 * 2. ids drawn from the sequence in request order, each after its uid's head is locked (the join needs
 *    the upsert's row): per uid, ids ascend in commit order;
 * 3. the messages, with seqs following the ids per uid; brand-new uids get their position row;
 * 4. the group-commit token with the ids (a retry of a commit whose outcome is unknown fails on the
 *    token's unique index, 23505, and reads the answer kept under it).
 * `fresh` (keyed commits): which requests store their messages (the others' keys existed).
 * Reads: uid_inbox (unread stamps). Writes: uid_heads, messages, uid_streams, accept_batches.
 * Locks: the heads of the commit's uids (uid order: accepts never deadlock each other).
 */
export function acceptStatement(token: string, requests: AcceptRequest[], fresh: boolean[] | null): Prisma.Sql {
  const m = requests.flatMap((r, req) => (fresh && !fresh[req] ? [] : r.messages.map((msg) => ({ req, msg }))));
  return Prisma.sql`
    WITH cnt AS (
      SELECT u.uid, count(*)::int AS n FROM unnest(${m.map((x) => x.msg.uid)}::text[]) AS u(uid) GROUP BY u.uid
    ), up AS (
      INSERT INTO uid_heads AS h (uid, last_seq, parked)
      SELECT cnt.uid, cnt.n, true FROM cnt ORDER BY cnt.uid
      ON CONFLICT (uid) DO UPDATE SET
        last_seq = h.last_seq + EXCLUDED.last_seq,
        parked = h.parked OR (h.holder IS NULL AND h.due_at IS NULL)
      RETURNING h.uid, h.last_seq, h.holder, h.lease, (h.xmax = 0) AS created
    ), a AS MATERIALIZED (
      SELECT up.*, cnt.n FROM up JOIN cnt ON cnt.uid = up.uid
    ), m AS MATERIALIZED (
      SELECT nextval('messages_noce_ack_seq') AS id, q.* FROM (
        SELECT r.*, a.last_seq - a.n AS base
        FROM unnest(${m.map((x) => x.req)}::int[], ${m.map((x) => x.msg.uid)}::text[], ${m.map((x) => x.msg.type)}::int[],
                    ${m.map((x) => x.msg.clientType)}::int[], ${m.map((x) => x.msg.body)}::text[], ${m.map((x) => x.msg.bytes)}::int[],
                    ${m.map((x) => x.msg.expiresAt?.toISOString() ?? null)}::timestamptz[])
          WITH ORDINALITY AS r(req, uid, type, client_type, body, bytes, expires, ord)
        JOIN a ON a.uid = r.uid
        ORDER BY r.ord
      ) q
    ), ins AS (
      INSERT INTO messages (noce_ack, to_uid, stream_seq, msg_type, client_type, msg_extend, body_bytes, expires_at,
                            producer, idempotency_key)
      SELECT m.id, m.uid, m.base + row_number() OVER (PARTITION BY m.uid ORDER BY m.id), m.type, m.client_type,
             m.body::jsonb, m.bytes, m.expires, (${requests.map((r) => r.producer)}::text[])[m.req + 1],
             (${requests.map((r) => r.key)}::text[])[m.req + 1]
      FROM m
    ), st AS (
      INSERT INTO uid_streams (uid) SELECT a.uid FROM a WHERE a.created ORDER BY a.uid ON CONFLICT DO NOTHING
    ), stored AS (
      SELECT array_agg(m.id ORDER BY m.ord) AS ids FROM m
    ), tok AS (
      INSERT INTO accept_batches (token, ids) SELECT ${token}::uuid, stored.ids FROM stored
    ), held AS (
      SELECT a.uid, a.holder, a.lease, a.last_seq - a.n + 1 AS first, a.last_seq, COALESCE(i.cleared, 0) AS cleared
      FROM a LEFT JOIN uid_inbox i ON i.uid = a.uid
      WHERE a.holder IS NOT NULL
    )
    SELECT NULL::text[] AS outcomes, (SELECT stored.ids FROM stored) AS ids, NULL::int[] AS counts,
           array_agg(held.uid::text ORDER BY held.uid) AS s_uid, array_agg(held.holder ORDER BY held.uid) AS s_holder,
           array_agg(held.lease ORDER BY held.uid) AS s_lease, array_agg(held.first ORDER BY held.uid) AS s_first,
           array_agg(held.last_seq ORDER BY held.uid) AS s_total, array_agg(held.cleared ORDER BY held.uid) AS s_cleared,
           now()::timestamptz(3) AS created_at
    FROM held`;
}
