import { Prisma } from "../generated/prisma/client.ts";
import { MESSAGE_EXPIRED } from "./message-expired.ts";

export type MessageStatusName = "queued" | "delivered" | "read" | "expired" | "cancelled";

/** A message with what its stream and its receipt say about it (one row of MESSAGE_RECORD_SQL). */
export interface MessageRecord {
  id: bigint;
  uid: string;
  seq: bigint;
  msgType: number;
  clientType: number;
  msg: unknown;
  createdAt: Date;
  expiresAt: Date | null;
  readAt: Date | null;
  status: MessageStatusName;
  /** When the uid's acked position passed it (from its receipt), if it was delivered. */
  deliveredAt: Date | null;
  attempts: number;
  /** A topic message's topic and publish id (null for direct messages). */
  topic: string | null;
  publishId: bigint | null;
}

/**
 * The status is derived, never stored: cancelled if a producer cancelled it; read if a client read it; delivered once the uid's acked
 * position has passed it — unless it expired first (its expiry lies before its receipt); expired if
 * past its expiry while still ahead of the position; queued otherwise.
 */
const STATUS = Prisma.sql`
  CASE WHEN m.cancelled_at IS NOT NULL THEN 'cancelled'
       WHEN m.read_at IS NOT NULL THEN 'read'
       WHEN m.stream_seq <= COALESCE(s.acked_seq, 0) THEN
         CASE WHEN m.expires_at <= COALESCE(CASE WHEN d.first_seq <= m.stream_seq THEN d.acked_at END, now())
              THEN 'expired' ELSE 'delivered' END
       WHEN ${MESSAGE_EXPIRED} THEN 'expired'
       ELSE 'queued' END`;

/**
 * Messages (alias m) with their publish (p: a topic message's body lives there), stream (s), head (h) and
 * the receipt covering them (d), as MessageRecord columns.
 */
export const MESSAGE_RECORD_SQL = Prisma.sql`
  SELECT m.noce_ack AS id, m.to_uid AS uid, m.stream_seq AS seq, m.msg_type AS "msgType", m.client_type AS "clientType",
         COALESCE(m.msg_extend, p.body) AS msg, p.topic, m.publish_id AS "publishId", m.create_time AS "createdAt", m.expires_at AS "expiresAt", m.read_at AS "readAt",
         ${STATUS} AS status,
         CASE WHEN m.stream_seq <= COALESCE(s.acked_seq, 0) AND d.first_seq <= m.stream_seq THEN d.acked_at END AS "deliveredAt",
         (CASE WHEN m.stream_seq <= COALESCE(s.acked_seq, 0) AND d.first_seq <= m.stream_seq
               THEN CASE WHEN m.stream_seq <= d.retry_upto THEN d.attempt ELSE 1 END
               WHEN m.stream_seq <= COALESCE(s.acked_seq, 0) THEN 1
               WHEN m.stream_seq <= COALESCE(s.sent_seq, 0) THEN COALESCE(h.attempts, 0) + 1
               ELSE 0 END)::int AS attempts
  FROM messages m
  LEFT JOIN topic_publishes p ON p.id = m.publish_id
  LEFT JOIN uid_streams s ON s.uid = m.to_uid
  LEFT JOIN uid_heads h ON h.uid = m.to_uid
  LEFT JOIN LATERAL (
    SELECT d.first_seq, d.acked_at, d.attempt, d.retry_upto FROM deliveries d
    WHERE d.uid = m.to_uid AND d.last_id >= m.noce_ack AND m.stream_seq <= COALESCE(s.acked_seq, 0)
    ORDER BY d.last_id LIMIT 1
  ) d ON true`;
