-- Position records without planning on every call (docs/design.md §5).
--
-- push_hub_write_positions runs for every record and every end. As a LANGUAGE sql function PostgreSQL
-- parsed and planned its statement on each call, and the two SQL functions it called per statement
-- (push_hub_inbox_live_from, push_hub_webhook_wanted) were each parsed and planned again: ~0.7 ms for a
-- record of one uid, of which ~0.15 ms executing. As plpgsql its statement is prepared once per
-- connection and kept as a generic plan (a custom plan per call would re-plan it each time: its array
-- arguments make every call look different to the planner), and the two lookups are plain statements
-- of the function. Same arguments, same writes, same result.

CREATE OR REPLACE FUNCTION push_hub_write_positions(p_uids text[], p_first_seq bigint[], p_acked_seq bigint[], p_acked_id bigint[],
                                         p_sent_seq bigint[], p_attempt integer[], p_retry_upto bigint[])
RETURNS integer
LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
  v_recorded integer;
  -- push_hub_inbox_live_from(): receipts below the partitions being dropped are left out.
  v_live_from bigint := (SELECT COALESCE(min(epoch), 0)::bigint * push_hub_partition_span()
                         FROM message_partitions WHERE inbox_cleared_at IS NULL);
  -- push_hub_webhook_wanted('message.delivered')
  v_hooked boolean := EXISTS (SELECT 1 FROM webhook_endpoints WHERE enabled AND 'message.delivered' = ANY(events));
BEGIN
  WITH i AS (
    SELECT * FROM unnest(p_uids, p_first_seq, p_acked_seq, p_acked_id, p_sent_seq, p_attempt, p_retry_upto)
      AS i(uid, first_seq, acked_seq, acked_id, sent_seq, attempt, retry_upto)
  ), upd AS (
    UPDATE uid_streams s SET
      acked_seq = GREATEST(s.acked_seq, i.acked_seq),
      acked_id = GREATEST(s.acked_id, i.acked_id),
      sent_seq = GREATEST(s.sent_seq, i.sent_seq, i.acked_seq)
    FROM (SELECT * FROM i ORDER BY i.uid) i
    WHERE s.uid = i.uid AND (i.acked_seq > s.acked_seq OR i.sent_seq > s.sent_seq)
  ), rec AS (
    INSERT INTO deliveries (uid, first_seq, last_seq, last_id, attempt, retry_upto)
    SELECT i.uid, i.first_seq, i.acked_seq, i.acked_id, i.attempt, i.retry_upto FROM i
    WHERE i.acked_seq >= i.first_seq AND i.acked_id >= v_live_from
    ON CONFLICT DO NOTHING
    RETURNING uid, first_seq, last_seq, last_id, acked_at
  ), hook AS (
    -- message.delivered for each message of a new receipt that was neither cancelled nor expired when acked
    -- (the status rule of GET /api/messages/:id). Only evaluated when an endpoint wants the event.
    INSERT INTO webhook_outbox (endpoint_id, type, item)
    SELECT e.id, 'message.delivered',
           push_hub_webhook_item(jsonb_build_object('id', m.noce_ack::text, 'uid', r.uid, 'deliveredAt', push_hub_iso(r.acked_at)), m.publish_id)
    FROM rec r
    CROSS JOIN LATERAL (
      SELECT m.noce_ack, m.expires_at, m.cancelled_at, m.publish_id FROM messages m
      WHERE m.to_uid = r.uid AND m.noce_ack <= r.last_id AND m.stream_seq >= r.first_seq
      ORDER BY m.noce_ack DESC LIMIT (r.last_seq - r.first_seq + 1)
    ) m
    JOIN webhook_endpoints e ON e.enabled AND 'message.delivered' = ANY(e.events)
    WHERE v_hooked
      AND m.cancelled_at IS NULL AND (m.expires_at IS NULL OR m.expires_at > r.acked_at)
    ORDER BY m.noce_ack
  )
  SELECT count(*)::int INTO v_recorded FROM rec;
  RETURN v_recorded;
END $$;
