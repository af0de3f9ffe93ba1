import type { Db } from "../prisma.ts";
import { failAsUnavailable } from "../store-unavailable-error.ts";
import type { TopicAppendRow } from "./topic-appends.ts";

interface SubscriptionChange {
  /** Uids subscribed (or unsubscribed) by this call; those that already were (or were not) are not counted. */
  changed: string[];
  /** The topic's subscribers after it. */
  subscribers: number;
}

/**
 * Subscribes `uids` to `topic` (idempotent): they receive the topic's publishes stored after this call,
 * not earlier ones (push_hub_topic_subscribe records the topic's last publish). Under the topic's row
 * lock, so concurrent changes and publishes of one topic queue and the count stays exact.
 * Writes topic_subscriptions and topics.
 */
export async function subscribe(db: Db, topic: string, uids: readonly string[]): Promise<SubscriptionChange> {
  const [row] = await db.$queryRaw<{ changed: string[] | null; subscribers: bigint }[]>`
    SELECT changed, subscribers FROM push_hub_topic_subscribe(${topic}, ${uids}::text[])`.catch(failAsUnavailable("could not subscribe"));
  return { changed: row?.changed ?? [], subscribers: Number(row?.subscribers ?? 0) };
}

/**
 * Unsubscribes `uids` from `topic` (idempotent). A publish stored while they were subscribed whose
 * fan-out has not reached them yet gives them their message first, in the same transaction
 * (push_hub_topic_unsubscribe): `appended` are those messages, for hand-over to their holders.
 */
export async function unsubscribe(db: Db, topic: string, uids: readonly string[]): Promise<SubscriptionChange & { appended: TopicAppendRow[] }> {
  const rows = await db.$queryRaw<({ changed: string[]; subscribers: bigint } & TopicAppendRow)[]>`
    SELECT changed, subscribers, uid, id, seq, holder, lease, total, cleared
    FROM push_hub_topic_unsubscribe(${topic}, ${uids}::text[])`.catch(failAsUnavailable("could not unsubscribe"));
  const first = rows[0];
  return { changed: first?.changed ?? [], subscribers: Number(first?.subscribers ?? 0), appended: rows.filter((r) => r.uid !== null) };
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

/** Every topic `uid` is subscribed to, in name order. */
export async function topicsOf(db: Db, uid: string): Promise<string[]> {
  const [topics] = await topicsOfMany(db, [uid]);
  return topics ?? [];
}

/** The topics of each of `uids`, in name order (one statement for all, on the index (uid, topic): a connect storm reads them in batches). */
export async function topicsOfMany(db: Db, uids: readonly string[]): Promise<string[][]> {
  const rows = await db.$queryRaw<{ uid: string; topics: string[] }[]>`
    SELECT uid, array_agg(topic ORDER BY topic) AS topics FROM topic_subscriptions
    WHERE uid = ANY(${uids}::text[]) GROUP BY uid`.catch(failAsUnavailable("could not read the uids' topics"));
  const byUid = new Map(rows.map((r) => [r.uid, r.topics]));
  return uids.map((u) => byUid.get(u) ?? []);
}
