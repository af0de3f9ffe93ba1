-- Durable topic publishes (docs/api.md § Topic messages, docs/design.md §8): one publish becomes a message row in each subscriber's own
-- stream, so everything the hub guarantees per uid holds for it. The body is stored once, in
-- topic_publishes; a recipient's row points at it (publish_id) and carries no body of its own.
--
-- Who receives a publish: exactly the subscribers at the moment it was stored. Publishes and subscription
-- changes of a topic queue on its topics row; a publish takes its id under that lock and writes it to
-- topics.last_publish, a subscription records last_publish (since_publish), so "subscribed before
-- publish P" is since_publish < P.id. An unsubscribe delivers, in its own transaction, every unfinished
-- publish that targeted the uid and has not reached it yet, so removing the row loses nobody.
--
-- The fan-out runs after the publish is stored, in chunks of uids in uid order (push_hub_topic_fan_out):
-- each chunk locks the publish row, appends one message per uid (heads upserted in uid order: seqs and
-- ids per uid without a statement per row) and moves the publish's cursor in the same transaction, so a
-- crash between chunks resumes at the cursor and no uid gets two rows.

ALTER TABLE "messages" ALTER COLUMN "msg_extend" DROP NOT NULL;
ALTER TABLE "messages" ADD COLUMN "publish_id" BIGINT;
CREATE INDEX "messages_publish_idx" ON "messages"("publish_id") WHERE "publish_id" IS NOT NULL;

ALTER TABLE "topics" ADD COLUMN "last_publish" BIGINT NOT NULL DEFAULT 0;
ALTER TABLE "topic_subscriptions" ADD COLUMN "since_publish" BIGINT NOT NULL DEFAULT 0;

CREATE TABLE "topic_publishes" (
    "id" BIGSERIAL NOT NULL,
    "topic" VARCHAR(128) NOT NULL,
    "msg_type" INTEGER NOT NULL,
    "client_type" INTEGER NOT NULL,
    "body" JSONB NOT NULL,
    "body_bytes" INTEGER NOT NULL,
    "expires_at" TIMESTAMPTZ(3),
    "producer" VARCHAR(64) NOT NULL DEFAULT '',
    "idempotency_key" VARCHAR(255),
    "request_hash" VARCHAR(64),
    "recipients" BIGINT NOT NULL,
    "fanned_out" BIGINT NOT NULL DEFAULT 0,
    "cursor_uid" VARCHAR(128),
    "done_at" TIMESTAMPTZ(3),
    "cancelled_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "topic_publishes_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "topic_publishes_open_idx" ON "topic_publishes"("id") WHERE "done_at" IS NULL;
CREATE INDEX "topic_publishes_topic_idx" ON "topic_publishes"("topic", "id");
CREATE UNIQUE INDEX "topic_publishes_key_idx" ON "topic_publishes"("producer", "idempotency_key") WHERE "idempotency_key" IS NOT NULL;

-- 1. Windows carry a topic message's body, topic and publish id from its publish (joined after the
-- window's LIMIT: only the rows sent pay for it; direct messages have no publish_id and join nothing).
DROP FUNCTION push_hub_window_json(varchar, bigint, bigint, integer, integer);
DROP FUNCTION push_hub_window(varchar, bigint, bigint, integer, integer);
CREATE FUNCTION push_hub_window(p_uid varchar, p_after_id bigint, p_after_seq bigint, p_window integer, p_window_bytes integer)
RETURNS TABLE (id bigint, seq bigint, msg_type integer, client_type integer, msg jsonb, created_at timestamptz, body_bytes integer,
               topic varchar, publish_id bigint)
LANGUAGE sql STABLE AS $$
  SELECT x.noce_ack, x.stream_seq, x.msg_type, x.client_type, COALESCE(x.msg_extend, p.body), x.create_time, x.body_bytes,
         p.topic, x.publish_id
  FROM (
    SELECT w.*, sum(w.body_bytes) OVER (ORDER BY w.noce_ack) AS bytes_upto FROM (
      SELECT m.noce_ack, m.stream_seq, m.msg_type, m.client_type, m.msg_extend, m.create_time, m.body_bytes, m.publish_id
      FROM messages m
      WHERE m.to_uid = p_uid AND m.noce_ack > p_after_id AND m.stream_seq > p_after_seq
        AND (m.expires_at IS NULL OR m.expires_at > now())
      ORDER BY m.noce_ack LIMIT p_window
    ) w
  ) x LEFT JOIN topic_publishes p ON p.id = x.publish_id
  WHERE x.bytes_upto - x.body_bytes < p_window_bytes
$$;

-- One window entry as the hub decodes it (ids and seqs as text); topic and pid only on topic messages.
CREATE FUNCTION push_hub_entry_json(p_id bigint, p_seq bigint, p_type integer, p_ct integer, p_msg jsonb, p_at timestamptz,
                                    p_bytes integer, p_topic varchar, p_publish bigint)
RETURNS json LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN p_publish IS NULL
    THEN json_build_object('id', p_id::text, 'seq', p_seq::text, 'type', p_type, 'ct', p_ct, 'msg', p_msg, 'at', p_at, 'b', p_bytes)
    ELSE json_build_object('id', p_id::text, 'seq', p_seq::text, 'type', p_type, 'ct', p_ct, 'msg', p_msg, 'at', p_at, 'b', p_bytes,
                           'topic', p_topic, 'pid', p_publish::text) END
$$;

CREATE FUNCTION push_hub_window_json(p_uid varchar, p_after_id bigint, p_after_seq bigint, p_window integer, p_window_bytes integer)
RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_agg(push_hub_entry_json(w.id, w.seq, w.msg_type, w.client_type, w.msg, w.created_at, w.body_bytes, w.topic, w.publish_id)
                  ORDER BY w.id)
  FROM push_hub_window(p_uid, p_after_id, p_after_seq, p_window, p_window_bytes) w
$$;

-- The claim builds its windows' JSON itself: the same function as in engine v3, with topic entries.
CREATE OR REPLACE FUNCTION push_hub_claim(p_heads integer, p_messages integer, p_window integer, p_window_bytes integer, p_instance uuid)
RETURNS TABLE (uid varchar, lease bigint, attempts integer, failures integer, retry_upto bigint, wake_seq bigint,
               acked_seq bigint, acked_id bigint, last_seq bigint, cleared bigint, messages json)
LANGUAGE plpgsql SET enable_seqscan = off SET enable_bitmapscan = off AS $$
#variable_conflict use_column
DECLARE
  v_uids text[];
BEGIN
  SELECT array_agg(c.uid ORDER BY c.uid) INTO v_uids FROM (
    SELECT l.uid, l.want, sum(l.want) OVER (ORDER BY l.due_at, l.uid) AS upto FROM (
      SELECT h.uid, h.due_at, LEAST(GREATEST(h.last_seq - s.acked_seq, 1), p_window) AS want
      FROM uid_heads h JOIN uid_streams s ON s.uid = h.uid
      WHERE h.due_at <= now() ORDER BY h.due_at LIMIT p_heads
      FOR UPDATE OF h SKIP LOCKED
    ) l
  ) c WHERE c.upto - c.want < p_messages;
  IF v_uids IS NULL THEN
    RETURN;
  END IF;

  RETURN QUERY
  WITH s0 AS MATERIALIZED (
    SELECT h.uid, h.last_seq, h.attempts, h.failures, s.acked_seq, s.acked_id, s.sent_seq
    FROM uid_heads h JOIN uid_streams s ON s.uid = h.uid WHERE h.uid = ANY(v_uids)
  ), win AS MATERIALIZED (
    SELECT s0.uid AS w_uid, w.* FROM s0 CROSS JOIN LATERAL push_hub_window(s0.uid, s0.acked_id, s0.acked_seq, p_window, p_window_bytes) w
  ), top AS (
    SELECT win.w_uid, max(win.seq) AS seq FROM win GROUP BY win.w_uid
  ), upd AS (
    UPDATE uid_heads h SET
      holder = CASE WHEN t.seq IS NULL THEN NULL ELSE p_instance END,
      lease = h.lease + 1,
      due_at = NULL,
      parked = false,
      attempts = CASE WHEN t.seq IS NULL THEN 0 WHEN s0.sent_seq > s0.acked_seq THEN h.attempts + 1 ELSE h.attempts END
    FROM s0 LEFT JOIN top t ON t.w_uid = s0.uid
    WHERE h.uid = s0.uid
    RETURNING h.uid, h.lease, h.attempts, h.failures, h.wake_seq, t.seq IS NULL AS caught_up
  ), skipped AS (
    UPDATE uid_streams s SET
      acked_seq = s0.last_seq,
      acked_id = GREATEST(s.acked_id, COALESCE((SELECT max(m.noce_ack) FROM messages m
                                                WHERE m.to_uid = s.uid AND m.noce_ack > s.acked_id), 0)),
      sent_seq = GREATEST(s.sent_seq, s0.last_seq)
    FROM s0 JOIN upd u ON u.uid = s0.uid
    WHERE s.uid = s0.uid AND u.caught_up
  )
  SELECT u.uid, u.lease, u.attempts, u.failures, s0.sent_seq, u.wake_seq, s0.acked_seq, s0.acked_id, s0.last_seq,
         COALESCE(i.cleared, 0),
         (SELECT json_agg(push_hub_entry_json(w.id, w.seq, w.msg_type, w.client_type, w.msg, w.created_at, w.body_bytes,
                                             w.topic, w.publish_id) ORDER BY w.id)
          FROM win w WHERE w.w_uid = u.uid)
  FROM upd u JOIN s0 ON s0.uid = u.uid LEFT JOIN uid_inbox i ON i.uid = u.uid
  ORDER BY u.uid;
END $$;

-- 2. Appends one message per (publish, uid) pair: heads in uid order (a uid with several pairs gets
-- consecutive seqs in publish order), ids drawn after each head's lock (per uid, ids ascend in commit
-- order, as for accepts), position rows for new uids. Returns each pair's message, with the uid's holder
-- (NULL: nobody holds it, the head is parked or keeps its schedule) so the caller can hand it over.
-- Writes: uid_heads, messages, uid_streams. Locks: the uids' heads, in uid order.
CREATE FUNCTION push_hub_topic_append(p_publishes bigint[], p_uids text[])
RETURNS TABLE (uid text, publish_id bigint, id bigint, seq bigint, holder uuid, lease bigint, total bigint, cleared bigint)
LANGUAGE sql AS $$
  WITH pairs AS (
    SELECT r.pid, r.uid, row_number() OVER (PARTITION BY r.uid ORDER BY r.pid) AS k, count(*) OVER (PARTITION BY r.uid) AS n
    FROM unnest(p_publishes, p_uids) AS r(pid, uid)
  ), up AS (
    INSERT INTO uid_heads AS h (uid, last_seq, parked)
    SELECT c.uid, c.n, true FROM (SELECT DISTINCT pairs.uid, pairs.n FROM pairs) c ORDER BY c.uid
    ON CONFLICT (uid) DO UPDATE SET
      last_seq = h.last_seq + EXCLUDED.last_seq,
      parked = h.parked OR (h.holder IS NULL AND h.due_at IS NULL)
    RETURNING h.uid, h.last_seq, h.holder, h.lease, (h.xmax = 0) AS created
  ), m AS MATERIALIZED (
    SELECT nextval('messages_noce_ack_seq') AS id, q.* FROM (
      SELECT pairs.pid, pairs.uid, up.last_seq - pairs.n + pairs.k AS seq, up.holder, up.lease, up.last_seq AS total, up.created
      FROM pairs JOIN up ON up.uid = pairs.uid
      ORDER BY pairs.uid, pairs.k
    ) q
  ), ins AS (
    INSERT INTO messages (noce_ack, to_uid, stream_seq, msg_type, client_type, msg_extend, body_bytes, expires_at,
                          producer, publish_id, create_time, update_time)
    SELECT m.id, m.uid, m.seq, p.msg_type, p.client_type, NULL, p.body_bytes, p.expires_at, p.producer, p.id, p.created_at, p.created_at
    FROM m JOIN topic_publishes p ON p.id = m.pid
  ), st AS (
    INSERT INTO uid_streams (uid) SELECT DISTINCT m.uid FROM m WHERE m.created ORDER BY m.uid ON CONFLICT DO NOTHING
  )
  SELECT m.uid::text, m.pid, m.id, m.seq, m.holder, m.lease, m.total, COALESCE(i.cleared, 0)
  FROM m LEFT JOIN uid_inbox i ON i.uid = m.uid
$$;

-- 3. A publish: under the topic's row lock, its id (after every earlier publish's and every committed
-- subscription change's) and its recipients (the subscriber count the same lock keeps exact). A replayed
-- Idempotency-Key returns the first publish (replayed = true; the caller compares request_hash).
CREATE FUNCTION push_hub_topic_publish(p_topic text, p_type integer, p_client_type integer, p_body jsonb, p_bytes integer,
                                       p_expires timestamptz, p_producer text, p_key text, p_hash text)
RETURNS TABLE (id bigint, recipients bigint, created_at timestamptz, replayed boolean, request_hash text)
LANGUAGE plpgsql AS $$
DECLARE
  v_subscribers bigint;
  v_id bigint;
BEGIN
  INSERT INTO topics AS t (topic) VALUES (p_topic) ON CONFLICT (topic) DO NOTHING;
  SELECT t.subscribers INTO v_subscribers FROM topics t WHERE t.topic = p_topic FOR UPDATE;
  IF p_key IS NOT NULL THEN
    RETURN QUERY SELECT p.id, p.recipients, p.created_at::timestamptz, true, p.request_hash::text FROM topic_publishes p
      WHERE p.producer = p_producer AND p.idempotency_key = p_key;
    IF FOUND THEN RETURN; END IF;
  END IF;
  v_id := nextval(pg_get_serial_sequence('topic_publishes', 'id'));
  UPDATE topics t SET last_publish = v_id WHERE t.topic = p_topic;
  INSERT INTO topic_publishes (id, topic, msg_type, client_type, body, body_bytes, expires_at, producer, idempotency_key,
                               request_hash, recipients, done_at)
  VALUES (v_id, p_topic, p_type, p_client_type, p_body, p_bytes, p_expires, p_producer, p_key, p_hash, v_subscribers,
          CASE WHEN v_subscribers = 0 THEN now() END);
  RETURN QUERY SELECT p.id, p.recipients, p.created_at::timestamptz, false, p.request_hash::text FROM topic_publishes p WHERE p.id = v_id;
END $$;

-- 4. One chunk of a publish's fan-out: the next p_chunk subscribers (uid order) after its cursor that
-- subscribed before it, each given one message, and the cursor moved past them — one transaction, under
-- the publish row's lock (SKIP LOCKED: another instance working on the chunk → 'busy', try later).
-- The subscribers are read after the lock is granted (a statement of its own), so a concurrent
-- unsubscribe has either delivered and removed its rows already, or waits for this chunk.
-- The append is push_hub_topic_append's statement for one message per uid (no pairing, the publish's
-- fields as constants). Returns a status row (uid NULL; status 'more', 'done', 'busy' or 'missing';
-- fanned = rows this chunk wrote) and a row per message of a held uid, for hand-over; the parked rest
-- need nothing from the caller.
CREATE FUNCTION push_hub_topic_fan_out(p_publish bigint, p_chunk integer)
RETURNS TABLE (status text, fanned integer, uid text, id bigint, seq bigint, holder uuid, lease bigint, total bigint, cleared bigint)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v record;
  v_uids text[];
  v_n integer;
  v_status text;
BEGIN
  SELECT p.topic, p.cursor_uid, p.done_at, p.cancelled_at, p.msg_type, p.client_type, p.body_bytes, p.expires_at, p.producer, p.created_at
  INTO v FROM topic_publishes p WHERE p.id = p_publish FOR UPDATE SKIP LOCKED;
  IF NOT FOUND THEN
    RETURN QUERY SELECT CASE WHEN EXISTS (SELECT 1 FROM topic_publishes p WHERE p.id = p_publish) THEN 'busy' ELSE 'missing' END,
      0, NULL::text, NULL::bigint, NULL::bigint, NULL::uuid, NULL::bigint, NULL::bigint, NULL::bigint;
    RETURN;
  END IF;
  IF v.done_at IS NULL AND v.cancelled_at IS NULL THEN
    SELECT array_agg(s.uid ORDER BY s.uid) INTO v_uids FROM (
      SELECT ts.uid FROM topic_subscriptions ts
      WHERE ts.topic = v.topic AND (v.cursor_uid IS NULL OR ts.uid > v.cursor_uid) AND ts.since_publish < p_publish
      ORDER BY ts.uid LIMIT p_chunk
    ) s;
  END IF;
  v_n := COALESCE(cardinality(v_uids), 0);
  v_status := CASE WHEN v_n < p_chunk THEN 'done' ELSE 'more' END;
  UPDATE topic_publishes p SET
    cursor_uid = COALESCE(v_uids[v_n], p.cursor_uid),
    fanned_out = p.fanned_out + v_n,
    done_at = CASE WHEN v_status = 'done' THEN COALESCE(p.done_at, now()) END
  WHERE p.id = p_publish;
  RETURN QUERY SELECT v_status, v_n, NULL::text, NULL::bigint, NULL::bigint, NULL::uuid, NULL::bigint, NULL::bigint, NULL::bigint;
  IF v_n = 0 THEN RETURN; END IF;
  RETURN QUERY
  WITH up AS (
    INSERT INTO uid_heads AS h (uid, last_seq, parked)
    SELECT u.u, 1, true FROM unnest(v_uids) AS u(u)
    ON CONFLICT (uid) DO UPDATE SET
      last_seq = h.last_seq + 1,
      parked = h.parked OR (h.holder IS NULL AND h.due_at IS NULL)
    RETURNING h.uid, h.last_seq, h.holder, h.lease, (h.xmax = 0) AS created
  ), m AS MATERIALIZED (
    SELECT nextval('messages_noce_ack_seq') AS id, up.* FROM up
  ), ins AS (
    INSERT INTO messages (noce_ack, to_uid, stream_seq, msg_type, client_type, msg_extend, body_bytes, expires_at,
                          producer, publish_id, create_time, update_time)
    SELECT m.id, m.uid, m.last_seq, v.msg_type, v.client_type, NULL, v.body_bytes, v.expires_at, v.producer, p_publish,
           v.created_at, v.created_at
    FROM m
  ), st AS (
    INSERT INTO uid_streams (uid) SELECT m.uid FROM m WHERE m.created ON CONFLICT DO NOTHING
  )
  SELECT v_status, v_n, m.uid::text, m.id, m.last_seq, m.holder, m.lease, m.last_seq, COALESCE(i.cleared, 0)
  FROM m LEFT JOIN uid_inbox i ON i.uid = m.uid
  WHERE m.holder IS NOT NULL;
END $$;

-- 5. Subscription changes, under the topic's row lock. Subscribing records the topic's last publish (the
-- uid receives only later ones). Unsubscribing first delivers the topic's unfinished publishes that
-- targeted a leaving uid and have not reached it (their rows locked: a chunk in progress finishes first),
-- then removes the rows; returns those messages for hand-over.
CREATE FUNCTION push_hub_topic_subscribe(p_topic text, p_uids text[])
RETURNS TABLE (changed text[], subscribers bigint)
LANGUAGE plpgsql AS $$
DECLARE
  v_last bigint;
  v_changed text[];
BEGIN
  INSERT INTO topics AS t (topic) VALUES (p_topic) ON CONFLICT (topic) DO NOTHING;
  SELECT t.last_publish INTO v_last FROM topics t WHERE t.topic = p_topic FOR UPDATE;
  WITH added AS (
    INSERT INTO topic_subscriptions (topic, uid, since_publish)
    SELECT p_topic, u.u, v_last FROM (SELECT DISTINCT unnest(p_uids) AS u) u ORDER BY u.u
    ON CONFLICT DO NOTHING
    RETURNING topic_subscriptions.uid
  ) SELECT array_agg(added.uid::text ORDER BY added.uid) INTO v_changed FROM added;
  RETURN QUERY UPDATE topics t SET subscribers = t.subscribers + COALESCE(cardinality(v_changed), 0) WHERE t.topic = p_topic
    RETURNING COALESCE(v_changed, ARRAY[]::text[]), t.subscribers;
END $$;

CREATE FUNCTION push_hub_topic_unsubscribe(p_topic text, p_uids text[])
RETURNS TABLE (changed text[], subscribers bigint, uid text, publish_id bigint, id bigint, seq bigint, holder uuid, lease bigint,
               total bigint, cleared bigint)
LANGUAGE plpgsql AS $$
DECLARE
  v_changed text[];
  v_subscribers bigint;
  v_pids bigint[];
  v_puids text[];
BEGIN
  PERFORM 1 FROM topics t WHERE t.topic = p_topic FOR UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT ARRAY[]::text[], 0::bigint, NULL::text, NULL::bigint, NULL::bigint, NULL::bigint, NULL::uuid, NULL::bigint,
      NULL::bigint, NULL::bigint;
    RETURN;
  END IF;
  PERFORM 1 FROM topic_publishes p WHERE p.topic = p_topic AND p.done_at IS NULL ORDER BY p.id FOR UPDATE;
  SELECT array_agg(p.id ORDER BY s.uid, p.id), array_agg(s.uid ORDER BY s.uid, p.id) INTO v_pids, v_puids
  FROM topic_publishes p JOIN topic_subscriptions s ON s.topic = p.topic
  WHERE p.topic = p_topic AND p.done_at IS NULL AND p.cancelled_at IS NULL
    AND s.uid = ANY(p_uids) AND s.since_publish < p.id AND (p.cursor_uid IS NULL OR s.uid > p.cursor_uid);
  WITH removed AS (
    DELETE FROM topic_subscriptions s WHERE s.topic = p_topic AND s.uid = ANY(p_uids) RETURNING s.uid
  ) SELECT array_agg(removed.uid::text ORDER BY removed.uid) INTO v_changed FROM removed;
  UPDATE topics t SET subscribers = t.subscribers - COALESCE(cardinality(v_changed), 0) WHERE t.topic = p_topic
    RETURNING t.subscribers INTO v_subscribers;
  v_changed := COALESCE(v_changed, ARRAY[]::text[]);
  IF v_pids IS NULL THEN
    RETURN QUERY SELECT v_changed, v_subscribers, NULL::text, NULL::bigint, NULL::bigint, NULL::bigint, NULL::uuid, NULL::bigint,
      NULL::bigint, NULL::bigint;
    RETURN;
  END IF;
  UPDATE topic_publishes p SET fanned_out = p.fanned_out + c.n
  FROM (SELECT x.pid, count(*) AS n FROM unnest(v_pids) AS x(pid) GROUP BY x.pid) c WHERE p.id = c.pid;
  RETURN QUERY SELECT v_changed, v_subscribers, a.uid, a.publish_id, a.id, a.seq, a.holder, a.lease, a.total, a.cleared
  FROM push_hub_topic_append(v_pids, v_puids) a;
END $$;

-- 6. Cancelling a publish: its fan-out stops (uids it has not reached get nothing) and every row it wrote
-- is cancelled as DELETE /api/messages/:id cancels one (push_hub_cancel: unread counts, webhook events).
-- Returns the messages this call cancelled, with their uids' unread counts after it.
CREATE FUNCTION push_hub_topic_cancel(p_publish bigint)
RETURNS TABLE (found boolean, first_cancel boolean, id bigint, uid text, unread bigint)
LANGUAGE plpgsql AS $$
DECLARE
  v_cancelled timestamptz;
BEGIN
  SELECT p.cancelled_at INTO v_cancelled FROM topic_publishes p WHERE p.id = p_publish FOR UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT false, false, NULL::bigint, NULL::text, NULL::bigint;
    RETURN;
  END IF;
  IF v_cancelled IS NULL THEN
    UPDATE topic_publishes p SET cancelled_at = now(), done_at = COALESCE(p.done_at, now()) WHERE p.id = p_publish;
  END IF;
  RETURN QUERY SELECT true, v_cancelled IS NULL, r.noce_ack, c.uid, c.unread
  FROM (SELECT m.noce_ack FROM messages m WHERE m.publish_id = p_publish AND m.cancelled_at IS NULL ORDER BY m.to_uid) r
  CROSS JOIN LATERAL push_hub_cancel(r.noce_ack) c
  WHERE c.cancelled;
  IF NOT FOUND THEN
    RETURN QUERY SELECT true, v_cancelled IS NULL, NULL::bigint, NULL::text, NULL::bigint;
  END IF;
END $$;

-- 7. Webhook items of topic messages carry their topic (docs/webhooks.md). The four functions that write
-- message events are those of the webhooks migration with the item wrapped in push_hub_webhook_item.
CREATE FUNCTION push_hub_webhook_item(p_item jsonb, p_publish bigint) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN p_publish IS NULL THEN p_item
              ELSE p_item || jsonb_build_object('topic', (SELECT p.topic FROM topic_publishes p WHERE p.id = p_publish)) END
$$;

CREATE OR REPLACE FUNCTION push_hub_write_positions(p_uids text[], p_first_seq bigint[], p_acked_seq bigint[], p_acked_id bigint[],
                                         p_sent_seq bigint[], p_attempt integer[], p_retry_upto bigint[])
RETURNS integer
LANGUAGE sql AS $$
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
    WHERE i.acked_seq >= i.first_seq AND i.acked_id >= (SELECT push_hub_inbox_live_from())
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
    WHERE push_hub_webhook_wanted('message.delivered')
      AND m.cancelled_at IS NULL AND (m.expires_at IS NULL OR m.expires_at > r.acked_at)
    ORDER BY m.noce_ack
  )
  SELECT count(*)::int FROM rec
$$;

CREATE OR REPLACE FUNCTION push_hub_mark_read(p_uid text, p_ids bigint[], p_upto bigint)
RETURNS TABLE (ids bigint[], unread bigint)
LANGUAGE plpgsql AS $$
DECLARE
  v_now timestamptz(3) := now();
  v_swept timestamptz := push_hub_lock_inbox(p_uid);
  v_from bigint;
  v_acked bigint := COALESCE((SELECT acked_seq FROM uid_streams WHERE uid = p_uid), 0);
  v_live bigint := push_hub_inbox_live_from();
  v_ids bigint[];
  v_cleared bigint;
BEGIN
  SELECT GREATEST(read_upto_id, v_live - 1) INTO v_from FROM uid_inbox WHERE uid = p_uid;
  IF p_upto IS NULL THEN
    WITH r AS (
      UPDATE messages m SET read_at = v_now, update_time = v_now
      WHERE m.noce_ack = ANY(p_ids) AND m.noce_ack >= v_live AND m.to_uid = p_uid AND m.read_at IS NULL AND m.cancelled_at IS NULL
        AND (m.expires_at IS NULL OR m.expires_at > v_now OR m.stream_seq <= v_acked)
      RETURNING m.noce_ack, (m.expires_at IS NULL OR m.expires_at > v_swept) AS unswept
    ) SELECT COALESCE(array_agg(noce_ack ORDER BY noce_ack), '{}'), count(*) FILTER (WHERE unswept) INTO v_ids, v_cleared FROM r;
  ELSE
    WITH r AS (
      UPDATE messages m SET read_at = v_now, update_time = v_now
      WHERE m.to_uid = p_uid AND m.noce_ack > v_from AND m.noce_ack <= p_upto AND m.read_at IS NULL AND m.cancelled_at IS NULL
        AND (m.expires_at IS NULL OR m.expires_at > v_now OR m.stream_seq <= v_acked)
      RETURNING m.noce_ack, (m.expires_at IS NULL OR m.expires_at > v_swept) AS unswept
    ) SELECT COALESCE(array_agg(noce_ack ORDER BY noce_ack), '{}'), count(*) FILTER (WHERE unswept) INTO v_ids, v_cleared FROM r;
  END IF;
  -- The mark moves at most to the uid's newest message: one accepted later gets a higher id (a uid's
  -- accepts are serialised on its uid_heads row), so an id beyond it must not hide future messages.
  UPDATE uid_inbox SET cleared = cleared + v_cleared,
         read_upto_id = CASE WHEN p_upto IS NULL THEN read_upto_id ELSE GREATEST(read_upto_id, LEAST(p_upto,
           COALESCE((SELECT max(m.noce_ack) FROM messages m WHERE m.to_uid = p_uid), 0))) END
  WHERE uid = p_uid;
  IF cardinality(v_ids) > 0 AND push_hub_webhook_wanted('message.read') THEN
    PERFORM push_hub_webhook_record('message.read',
      (SELECT jsonb_agg(push_hub_webhook_item(jsonb_build_object('id', i::text, 'uid', p_uid, 'readAt', push_hub_iso(v_now)), m.publish_id) ORDER BY i)
       FROM unnest(v_ids) i LEFT JOIN messages m ON m.noce_ack = i));
  END IF;
  RETURN QUERY SELECT v_ids, push_hub_unread(p_uid);
END $$;

CREATE OR REPLACE FUNCTION push_hub_cancel(p_id bigint)
RETURNS TABLE (uid text, cancelled boolean, unread bigint)
LANGUAGE plpgsql AS $$
DECLARE
  v_now timestamptz(3) := now();
  v_uid text := (SELECT to_uid FROM messages WHERE noce_ack = p_id);
  v_swept timestamptz;
  v_msg record;
BEGIN
  IF v_uid IS NULL THEN RETURN; END IF;
  v_swept := push_hub_lock_inbox(v_uid);
  SELECT m.read_at, m.expires_at, m.cancelled_at, m.publish_id INTO v_msg FROM messages m WHERE m.noce_ack = p_id FOR UPDATE;
  IF v_msg.cancelled_at IS NULL THEN
    UPDATE messages SET cancelled_at = v_now, expires_at = LEAST(COALESCE(expires_at, v_now), v_now), update_time = v_now
    WHERE noce_ack = p_id;
    IF v_msg.read_at IS NULL AND (v_msg.expires_at IS NULL OR v_msg.expires_at > v_swept) AND p_id >= push_hub_inbox_live_from() THEN
      UPDATE uid_inbox SET cleared = cleared + 1 WHERE uid_inbox.uid = v_uid;
    END IF;
    IF push_hub_webhook_wanted('message.cancelled') THEN
      PERFORM push_hub_webhook_record('message.cancelled',
        jsonb_build_array(push_hub_webhook_item(jsonb_build_object('id', p_id::text, 'uid', v_uid, 'cancelledAt', push_hub_iso(v_now)), v_msg.publish_id)));
    END IF;
  END IF;
  RETURN QUERY SELECT v_uid, v_msg.cancelled_at IS NULL, push_hub_unread(v_uid);
END $$;

CREATE OR REPLACE FUNCTION push_hub_sweep_expired()
RETURNS TABLE (uid text, unread bigint)
LANGUAGE plpgsql AS $$
DECLARE
  v_from timestamptz;
  v_to timestamptz(3) := now();
  v_live bigint;
BEGIN
  SELECT swept_to INTO v_from FROM inbox_expiry WHERE id = 1 FOR UPDATE;
  IF v_to <= v_from THEN RETURN; END IF;
  v_live := push_hub_inbox_live_from();
  CREATE TEMP TABLE IF NOT EXISTS push_hub_swept (uid text PRIMARY KEY) ON COMMIT DELETE ROWS;
  INSERT INTO push_hub_swept SELECT DISTINCT m.to_uid FROM messages m
  WHERE m.expires_at > v_from AND m.expires_at <= v_to AND m.read_at IS NULL AND m.cancelled_at IS NULL AND m.noce_ack >= v_live;
  INSERT INTO uid_inbox (uid) SELECT s.uid FROM push_hub_swept s ON CONFLICT DO NOTHING;
  PERFORM 1 FROM uid_inbox i JOIN push_hub_swept s ON s.uid = i.uid ORDER BY i.uid FOR UPDATE OF i;
  -- A new statement after the locks: it sees every read and cancel that committed before them.
  IF push_hub_webhook_wanted('message.expired') THEN
    PERFORM push_hub_webhook_record('message.expired', (
      SELECT jsonb_agg(push_hub_webhook_item(jsonb_build_object('id', m.noce_ack::text, 'uid', m.to_uid, 'expiredAt', push_hub_iso(m.expires_at)), m.publish_id)
                       ORDER BY m.noce_ack)
      FROM messages m LEFT JOIN uid_streams s ON s.uid = m.to_uid
      WHERE m.expires_at > v_from AND m.expires_at <= v_to AND m.read_at IS NULL AND m.cancelled_at IS NULL AND m.noce_ack >= v_live
        AND m.stream_seq > COALESCE(s.acked_seq, 0)));
  END IF;
  RETURN QUERY
  WITH gone AS (
    SELECT m.to_uid, count(*) AS n FROM messages m
    WHERE m.expires_at > v_from AND m.expires_at <= v_to AND m.read_at IS NULL AND m.cancelled_at IS NULL AND m.noce_ack >= v_live
    GROUP BY m.to_uid
  ), counted AS (
    UPDATE uid_inbox i SET cleared = i.cleared + g.n FROM gone g WHERE i.uid = g.to_uid RETURNING i.uid, i.cleared
  )
  SELECT c.uid::text, COALESCE(h.last_seq, 0) - c.cleared FROM counted c LEFT JOIN uid_heads h ON h.uid = c.uid;
  UPDATE inbox_expiry SET swept_to = v_to WHERE id = 1;
END $$;
