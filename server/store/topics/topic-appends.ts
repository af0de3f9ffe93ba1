import type { HeldAppend } from "../accept-requests.ts";
import type { StreamMessage } from "../stream-message.ts";

/** One message a topic statement appended to a uid's stream (a row of push_hub_topic_append). */
export interface TopicAppendRow {
  uid: string | null;
  id: bigint | null;
  seq: bigint | null;
  /** The uid's holder; null: nobody holds it (its head is parked or keeps its schedule). */
  holder: string | null;
  lease: bigint | null;
  /** The uid's last_seq after the statement, and its cleared counter: its unread stamp. */
  total: bigint | null;
  cleared: bigint | null;
}

/** What a topic message carries besides its row: the publish's body and fields, the same for every recipient. */
export interface PublishContent {
  publishId: bigint;
  topic: string;
  msgType: number;
  clientType: number;
  msg: unknown;
  bytes: number;
  createdAt: Date;
}

/**
 * The held uids among appended rows, as the hand-over takes them. With `content` (one publish's rows) they
 * carry the messages; without (rows of several publishes), none: `firstSeq` is just past the uid's new head,
 * so the holder learns its head moved and reads the messages from the store.
 */
export function heldTopicAppends(rows: readonly TopicAppendRow[], content?: PublishContent): HeldAppend[] {
  const byUid = new Map<string, HeldAppend>();
  for (const r of rows) {
    if (r.uid === null || r.holder === null || r.id === null || r.seq === null) continue;
    const total = BigInt(r.total ?? 0);
    let held = byUid.get(r.uid);
    if (!held) {
      held = {
        uid: r.uid,
        holder: r.holder,
        lease: BigInt(r.lease ?? 0),
        firstSeq: content ? BigInt(r.seq) : total + 1n,
        messages: [],
        unread: { total: Number(total), cleared: Number(r.cleared ?? 0) },
      };
      byUid.set(r.uid, held);
    }
    if (content) held.messages.push(topicMessage(content, BigInt(r.id), BigInt(r.seq)));
  }
  return [...byUid.values()];
}

export function topicMessage(c: PublishContent, id: bigint, seq: bigint): StreamMessage {
  return { id, seq, msgType: c.msgType, clientType: c.clientType, msg: c.msg, createdAt: c.createdAt, bytes: c.bytes, topic: c.topic, publishId: c.publishId };
}
