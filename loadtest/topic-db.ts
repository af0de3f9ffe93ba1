/**
 * What the topic scenario reads from the run's database over one connection of its own: the on-disk
 * size of `messages` (every partition with its indexes and TOAST, summed over pg_partition_tree), the
 * rows a publish wrote, and the size of the publish's own row (its body, stored once).
 */
import pg from "pg";

export interface MessagesSize {
  bytes: number;
  /** highest message id so far (0 when none): rows written later have a greater one */
  maxId: string;
}

export interface PublishRows {
  /** recipient rows of the publish, and direct (non-topic) rows written since `afterId` */
  topicRows: number;
  otherRows: number;
  /** mean pg_column_size of a recipient row (the tuple's data, without page or index overhead) */
  avgRecipientTupleBytes: number;
  /** pg_column_size of the publish's row and of its body column, and the body's JSON size (body_bytes) */
  publishRowBytes: number;
  publishBodyColumnBytes: number;
  publishBodyBytes: number;
}

export interface TopicDb {
  messagesSize(): Promise<MessagesSize>;
  publishRows(publishId: string, afterId: string, uptoId: string): Promise<PublishRows>;
  close(): Promise<void>;
}

const SIZE_SQL = `
  SELECT coalesce(sum(pg_total_relation_size(p.relid)), 0)::bigint AS bytes,
         (SELECT coalesce(max(noce_ack), 0) FROM messages)::text AS max_id
  FROM pg_partition_tree(to_regclass('messages')) p`;

const ROWS_SQL = `
  SELECT count(*) FILTER (WHERE publish_id = $1::bigint) AS topic_rows,
         count(*) FILTER (WHERE publish_id IS NULL AND noce_ack <= $3::bigint) AS other_rows,
         coalesce(avg(pg_column_size(m.*)) FILTER (WHERE publish_id = $1::bigint), 0) AS avg_tuple
  FROM messages m WHERE noce_ack > $2::bigint`;

const PUBLISH_SQL = `
  SELECT pg_column_size(p.*) AS row_bytes, pg_column_size(p.body) AS body_column, body_bytes
  FROM topic_publishes p WHERE id = $1::bigint`;

export async function openTopicDb(url: string): Promise<TopicDb> {
  const client = new pg.Client({ connectionString: url, application_name: "loadtest-topic-db" });
  client.on("error", () => undefined); // the next query fails and says why
  await client.connect();
  // never queue behind the hub's partition DDL for long
  await client.query("SET lock_timeout = '5s'; SET statement_timeout = '60s'");
  return {
    async messagesSize() {
      const { rows } = await client.query<{ bytes: string; max_id: string }>(SIZE_SQL);
      return { bytes: Number(rows[0]?.bytes ?? 0), maxId: rows[0]?.max_id ?? "0" };
    },
    async publishRows(publishId, afterId, uptoId) {
      const { rows } = await client.query<{ topic_rows: string; other_rows: string; avg_tuple: string }>(ROWS_SQL, [publishId, afterId, uptoId]);
      const { rows: p } = await client.query<{ row_bytes: number; body_column: number; body_bytes: number }>(PUBLISH_SQL, [publishId]);
      return {
        topicRows: Number(rows[0]?.topic_rows ?? 0), otherRows: Number(rows[0]?.other_rows ?? 0),
        avgRecipientTupleBytes: Math.round(Number(rows[0]?.avg_tuple ?? 0) * 10) / 10,
        publishRowBytes: Number(p[0]?.row_bytes ?? 0), publishBodyColumnBytes: Number(p[0]?.body_column ?? 0), publishBodyBytes: Number(p[0]?.body_bytes ?? 0),
      };
    },
    close: () => client.end().catch(() => undefined),
  };
}
