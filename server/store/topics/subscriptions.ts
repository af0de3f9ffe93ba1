import type { Db } from "../prisma.ts";
import { failAsUnavailable } from "../store-unavailable-error.ts";

interface SubscriptionChange {
  /** Uids subscribed (or unsubscribed) by this call; those that already were (or were not) are not counted. */
  changed: string[];
  /** The topic's subscribers after it. */
  subscribers: number;
}

/**
 * Subscribes `uids` to `topic` (idempotent). One statement: the rows and the topic's count change in one
 * transaction, and concurrent calls on one topic queue on its topics row, so the count stays exact.
 * Reads topic_subscriptions' primary key; writes topic_subscriptions and topics; locks topics' row.
 */
export async function subscribe(db: Db, topic: string, uids: readonly string[]): Promise<SubscriptionChange> {
  const [row] = await db.$queryRaw<{ changed: string[] | null; subscribers: bigint }[]>`
    WITH added AS (
      INSERT INTO topic_subscriptions (topic, uid)
      SELECT ${topic}, u FROM (SELECT DISTINCT unnest(${uids}::text[]) AS u) s ORDER BY u -- one order: no deadlock between callers
      ON CONFLICT DO NOTHING
      RETURNING uid
    ), counted AS (
      INSERT INTO topics (topic, subscribers) VALUES (${topic}, (SELECT count(*) FROM added))
      ON CONFLICT (topic) DO UPDATE SET subscribers = topics.subscribers + EXCLUDED.subscribers
      RETURNING subscribers
    )
    SELECT (SELECT array_agg(uid) FROM added) AS changed, (SELECT subscribers FROM counted) AS subscribers`.catch(
    failAsUnavailable("could not subscribe"),
  );
  return { changed: row?.changed ?? [], subscribers: Number(row?.subscribers ?? 0) };
}

/** Unsubscribes `uids` from `topic` (idempotent); same locking as subscribe. */
export async function unsubscribe(db: Db, topic: string, uids: readonly string[]): Promise<SubscriptionChange> {
  const [row] = await db.$queryRaw<{ changed: string[] | null; subscribers: bigint | null }[]>`
    WITH removed AS (
      DELETE FROM topic_subscriptions WHERE topic = ${topic} AND uid = ANY(${uids}::text[])
      RETURNING uid
    ), counted AS (
      UPDATE topics SET subscribers = subscribers - (SELECT count(*) FROM removed) WHERE topic = ${topic}
      RETURNING subscribers
    )
    SELECT (SELECT array_agg(uid) FROM removed) AS changed, (SELECT subscribers FROM counted) AS subscribers`.catch(
    failAsUnavailable("could not unsubscribe"),
  );
  return { changed: row?.changed ?? [], subscribers: Number(row?.subscribers ?? 0) };
}

/** A page of a topic's subscribers in uid order after `after`, and how many it has in all. */
export async function listSubscribers(
  db: Db,
  q: { topic: string; after: string | null; limit: number },
): Promise<{ uids: string[]; next: string | null; total: number }> {
  const rows = await db.$queryRaw<{ uid: string }[]>`
    SELECT uid FROM topic_subscriptions
    WHERE topic = ${q.topic} AND (${q.after}::text IS NULL OR uid > ${q.after}::text)
    ORDER BY uid LIMIT ${q.limit + 1}`.catch(failAsUnavailable("could not list subscribers"));
  const [count] = await db.$queryRaw<{ subscribers: bigint }[]>`
    SELECT subscribers FROM topics WHERE topic = ${q.topic}`.catch(failAsUnavailable("could not count subscribers"));
  const uids = rows.slice(0, q.limit).map((r) => r.uid);
  return { uids, next: rows.length > q.limit ? (uids[uids.length - 1] ?? null) : null, total: Number(count?.subscribers ?? 0) };
}

/** Every topic `uid` is subscribed to, in name order (the uid's index: (uid, topic)). */
export async function topicsOf(db: Db, uid: string): Promise<string[]> {
  const rows = await db.$queryRaw<{ topic: string }[]>`
    SELECT topic FROM topic_subscriptions WHERE uid = ${uid} ORDER BY topic`.catch(failAsUnavailable("could not read the uid's topics"));
  return rows.map((r) => r.topic);
}
