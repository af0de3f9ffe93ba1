import type { Db } from "../prisma.ts";
import { failAsUnavailable } from "../store-unavailable-error.ts";
import type { PublishContent } from "./topic-appends.ts";

export interface NewPublish {
  topic: string;
  msgType: number;
  clientType: number;
  /** The body as JSON text, and its size in bytes. */
  body: string;
  bytes: number;
  expiresAt: Date | null;
  producer: string;
  key: string | null;
  /** Digest of what the request asks (a replayed key with another digest is a conflict). */
  requestHash: string | null;
}

export interface StoredPublish {
  id: bigint;
  recipients: number;
  createdAt: Date;
  /** The key was used before: this is the first publish, stored then. */
  replayed: boolean;
  requestHash: string | null;
}

export interface PublishView {
  id: string;
  topic: string;
  recipients: number;
  fannedOut: number;
  status: "fanning_out" | "done";
  createdAt: string;
  cancelledAt: string | null;
}

/**
 * Stores a publish (push_hub_topic_publish): once it returns, its recipients are fixed — the topic's
 * subscribers at that moment — and the fan-out (push_hub_topic_fan_out) gives each of them one message.
 * Locks the topic's row: publishes and subscription changes of one topic are serialised.
 */
export async function storePublish(db: Db, p: NewPublish): Promise<StoredPublish> {
  const [row] = await db.$queryRaw<{ id: bigint; recipients: bigint; created_at: Date; replayed: boolean; request_hash: string | null }[]>`
    SELECT id, recipients, created_at, replayed, request_hash FROM push_hub_topic_publish(
      ${p.topic}, ${p.msgType}::int, ${p.clientType}::int, ${p.body}::jsonb, ${p.bytes}::int, ${p.expiresAt}::timestamptz,
      ${p.producer}, ${p.key}, ${p.requestHash})`.catch(failAsUnavailable("could not store the publish"));
  if (!row) throw new Error("push_hub_topic_publish returned no row");
  return { id: row.id, recipients: Number(row.recipients), createdAt: row.created_at, replayed: row.replayed, requestHash: row.request_hash };
}

/** A publish of `topic` as GET /api/topics/:topic/messages/:id shows it (null: no such publish of that topic). */
export async function findPublish(db: Db, topic: string, id: bigint): Promise<PublishView | null> {
  const [row] = await db.$queryRaw<
    { id: bigint; topic: string; recipients: bigint; fanned_out: bigint; done_at: Date | null; created_at: Date; cancelled_at: Date | null }[]
  >`SELECT id, topic, recipients, fanned_out, done_at, created_at, cancelled_at FROM topic_publishes WHERE id = ${id} AND topic = ${topic}`.catch(
    failAsUnavailable("could not read the publish"),
  );
  if (!row) return null;
  return {
    id: String(row.id),
    topic: row.topic,
    recipients: Number(row.recipients),
    fannedOut: Number(row.fanned_out),
    status: row.done_at ? "done" : "fanning_out",
    createdAt: row.created_at.toISOString(),
    cancelledAt: row.cancelled_at?.toISOString() ?? null,
  };
}

/** The body and fields every recipient's message carries (null: no such publish). */
export async function publishContent(db: Db, id: bigint): Promise<PublishContent | null> {
  const [row] = await db.$queryRaw<{ topic: string; msg_type: number; client_type: number; body: unknown; body_bytes: number; created_at: Date }[]>`
    SELECT topic, msg_type, client_type, body, body_bytes, created_at FROM topic_publishes WHERE id = ${id}`;
  if (!row) return null;
  return { publishId: id, topic: row.topic, msgType: row.msg_type, clientType: row.client_type, msg: row.body, bytes: row.body_bytes, createdAt: row.created_at };
}

/** Publishes whose fan-out is not finished, oldest first (a crash leaves them so; any instance resumes them). */
export async function openPublishes(db: Db, limit: number): Promise<bigint[]> {
  const rows = await db.$queryRaw<{ id: bigint }[]>`SELECT id FROM topic_publishes WHERE done_at IS NULL ORDER BY id LIMIT ${limit}`;
  return rows.map((r) => r.id);
}

export interface PublishCancel {
  found: boolean;
  /** This call cancelled it (false: it was cancelled before). */
  cancelled: boolean;
  /** The messages this call cancelled, with their uids' unread counts after it. */
  recipients: { id: bigint; uid: string; unread: number }[];
}

/**
 * Cancels a publish of `topic` for every recipient: its fan-out stops, every message it wrote is cancelled
 * as DELETE /api/messages/:id cancels one (never delivered after, unread counts, webhook events).
 */
export async function cancelPublish(db: Db, topic: string, id: bigint): Promise<PublishCancel> {
  const [own] = await db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM topic_publishes WHERE id = ${id} AND topic = ${topic}`.catch(
    failAsUnavailable("could not read the publish"),
  );
  if (!own || own.n === 0n) return { found: false, cancelled: false, recipients: [] };
  const rows = await db.$queryRaw<{ found: boolean; first_cancel: boolean; id: bigint | null; uid: string | null; unread: bigint | null }[]>`
    SELECT found, first_cancel, id, uid, unread FROM push_hub_topic_cancel(${id})`.catch(failAsUnavailable("could not cancel the publish"));
  const first = rows[0];
  return {
    found: first?.found ?? false,
    cancelled: first?.first_cancel ?? false,
    recipients: rows.filter((r) => r.uid !== null && r.id !== null).map((r) => ({ id: r.id as bigint, uid: r.uid as string, unread: Number(r.unread ?? 0) })),
  };
}
