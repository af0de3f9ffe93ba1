import type { Db } from "../prisma.ts";

/**
 * Retention of publishes: a finished publish older than `retentionMs` goes once no message row points at
 * it any more (its recipients' rows leave with their partitions, which can outlive RETENTION by up to a
 * partition interval), so a window never meets a topic message without its body. Returns how many went.
 */
export async function prunePublishes(db: Db, retentionMs: number, slice = 1000): Promise<number> {
  return db.$executeRaw`
    DELETE FROM topic_publishes WHERE id = ANY(ARRAY(
      SELECT p.id FROM topic_publishes p
      WHERE p.done_at IS NOT NULL AND p.created_at < now() - make_interval(secs => ${retentionMs / 1000}::float8)
        AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.publish_id = p.id)
      ORDER BY p.id LIMIT ${slice}))`;
}
