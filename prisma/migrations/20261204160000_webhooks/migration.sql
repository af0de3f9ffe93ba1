-- Webhooks (docs/webhooks.md): endpoints, the outbox the changes write into, the POSTs (batches) the
-- senders make of it, and the attempts of each.
--
-- Durability: an event is written into webhook_outbox by the same statement (or transaction) as the change
-- it reports — a receipt (message.delivered), a read, a cancel, an expiry sweep — so a crash can neither
-- lose one nor invent one. Presence events (user.online/offline) are written when the hub decides them.
-- Rows are written per endpoint that wants the type (none at all when no endpoint does: one look at a
-- table of a handful of rows). Any instance turns outbox rows into batches (push_hub_webhook_batch: up to
-- 100 items of one type for one endpoint, SKIP LOCKED) and claims due batches to send
-- (push_hub_webhook_claim: a lease per batch, at most p_per_endpoint in flight per endpoint).

CREATE TABLE "webhook_endpoints" (
    "id" UUID NOT NULL,
    "url" TEXT NOT NULL,
    "events" TEXT[] NOT NULL,
    "description" VARCHAR(500),
    -- whsec_… (HMAC keys must be kept to sign with); the previous one signs beside it until previous_until.
    "secret" TEXT NOT NULL,
    "previous_secret" TEXT,
    "previous_until" TIMESTAMPTZ(3),
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "disabled_reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "webhook_endpoints_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "webhook_outbox" (
    "id" BIGSERIAL NOT NULL,
    "endpoint_id" UUID NOT NULL,
    "type" VARCHAR(64) NOT NULL,
    "item" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "webhook_outbox_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "webhook_outbox_endpoint_fkey" FOREIGN KEY ("endpoint_id") REFERENCES "webhook_endpoints"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "webhook_outbox_endpoint_idx" ON "webhook_outbox"("endpoint_id");

-- One POST: its id is the webhook-id header, kept with its items and body timestamp on every retry.
CREATE TABLE "webhook_batches" (
    "id" VARCHAR(40) NOT NULL,
    "endpoint_id" UUID NOT NULL,
    "type" VARCHAR(64) NOT NULL,
    "items" JSONB NOT NULL,
    "item_count" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    -- pending (waiting or being sent) | sent | failed (every retry used up)
    "state" VARCHAR(16) NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    -- Set while an instance sends it (its lease); the attempt number fences a late answer.
    "locked_until" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    CONSTRAINT "webhook_batches_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "webhook_batches_endpoint_fkey" FOREIGN KEY ("endpoint_id") REFERENCES "webhook_endpoints"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "webhook_batches_due_idx" ON "webhook_batches"("endpoint_id", "next_attempt_at") WHERE "state" = 'pending';
CREATE INDEX "webhook_batches_finished_idx" ON "webhook_batches"("finished_at") WHERE "state" <> 'pending';

CREATE TABLE "webhook_attempts" (
    "id" BIGSERIAL NOT NULL,
    "endpoint_id" UUID NOT NULL,
    "batch_id" VARCHAR(40) NOT NULL,
    "type" VARCHAR(64) NOT NULL,
    "item_count" INTEGER NOT NULL,
    "attempt" INTEGER NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "duration_ms" INTEGER NOT NULL,
    "status_code" INTEGER,
    "error" TEXT,
    "outcome" VARCHAR(16) NOT NULL,
    CONSTRAINT "webhook_attempts_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "webhook_attempts_endpoint_fkey" FOREIGN KEY ("endpoint_id") REFERENCES "webhook_endpoints"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "webhook_attempts_endpoint_idx" ON "webhook_attempts"("endpoint_id", "id" DESC);

-- Timestamps in webhook items: ISO 8601 in UTC with milliseconds, as JavaScript's toISOString writes them.
CREATE FUNCTION push_hub_iso(p_at timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') $$;

-- Does an enabled endpoint want events of this type?
CREATE FUNCTION push_hub_webhook_wanted(p_type text) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM webhook_endpoints WHERE enabled AND p_type = ANY(events))
$$;

-- Writes events of one type (p_items: a JSON array of items) into the outbox of every enabled endpoint that
-- wants them. Returns the rows written.
CREATE FUNCTION push_hub_webhook_record(p_type text, p_items jsonb) RETURNS integer
LANGUAGE sql AS $$
  WITH ins AS (
    INSERT INTO webhook_outbox (endpoint_id, type, item)
    SELECT e.id, p_type, it.item
    FROM webhook_endpoints e CROSS JOIN jsonb_array_elements(COALESCE(p_items, '[]'::jsonb)) WITH ORDINALITY AS it(item, n)
    WHERE e.enabled AND p_type = ANY(e.events)
    ORDER BY e.id, it.n
    RETURNING 1
  )
  SELECT count(*)::int FROM ins
$$;

-- Turns up to p_rows outbox rows into batches of at most p_items items (one endpoint, one type each), oldest
-- first, taking only rows no other instance is batching. Returns the batches made.
CREATE FUNCTION push_hub_webhook_batch(p_rows integer, p_items integer)
RETURNS TABLE (id text, endpoint_id uuid, item_count integer)
LANGUAGE sql AS $$
  WITH picked AS (
    SELECT o.id, o.endpoint_id, o.type, o.item FROM webhook_outbox o ORDER BY o.id LIMIT p_rows FOR UPDATE SKIP LOCKED
  ), gone AS (
    DELETE FROM webhook_outbox w USING picked p WHERE w.id = p.id
    RETURNING p.id, p.endpoint_id, p.type, p.item
  ), numbered AS (
    SELECT g.*, (row_number() OVER (PARTITION BY g.endpoint_id, g.type ORDER BY g.id) - 1) / p_items AS chunk FROM gone g
  ), made AS (
    INSERT INTO webhook_batches (id, endpoint_id, type, items, item_count)
    SELECT 'msg_' || replace(gen_random_uuid()::text, '-', ''), n.endpoint_id, n.type, jsonb_agg(n.item ORDER BY n.id), count(*)::int
    FROM numbered n GROUP BY n.endpoint_id, n.type, n.chunk
    RETURNING webhook_batches.id, webhook_batches.endpoint_id, webhook_batches.item_count
  )
  SELECT made.id::text, made.endpoint_id, made.item_count FROM made
$$;

-- Claims due batches to send, at most p_per_endpoint in flight per endpoint (counted under the endpoint's
-- row lock, so two instances cannot both fill the same free places): each gets a lease of p_lease_ms and
-- its next attempt number. Endpoints another instance is claiming for are skipped this time.
CREATE FUNCTION push_hub_webhook_claim(p_per_endpoint integer, p_limit integer, p_lease_ms integer)
RETURNS TABLE (id text, endpoint_id uuid, type text, items jsonb, created_at timestamptz, attempt integer,
               url text, secret text, previous_secret text)
LANGUAGE plpgsql AS $$
DECLARE
  v_now timestamptz(3) := now();
BEGIN
  RETURN QUERY
  WITH ep AS (
    SELECT e.id, e.url, e.secret, CASE WHEN e.previous_until > v_now THEN e.previous_secret END AS previous_secret
    FROM webhook_endpoints e
    WHERE e.enabled AND EXISTS (SELECT 1 FROM webhook_batches b WHERE b.endpoint_id = e.id AND b.state = 'pending' AND b.next_attempt_at <= v_now)
    ORDER BY e.id LIMIT p_limit
    FOR NO KEY UPDATE SKIP LOCKED
  ), free AS (
    SELECT ep.*, p_per_endpoint - (SELECT count(*) FROM webhook_batches b
                                   WHERE b.endpoint_id = ep.id AND b.state = 'pending' AND b.locked_until > v_now)::int AS places
    FROM ep
  ), due AS (
    SELECT d.id AS batch_id, f.url, f.secret, f.previous_secret FROM free f
    CROSS JOIN LATERAL (
      SELECT b.id FROM webhook_batches b
      WHERE b.endpoint_id = f.id AND b.state = 'pending' AND b.next_attempt_at <= v_now
        AND (b.locked_until IS NULL OR b.locked_until <= v_now)
      ORDER BY b.next_attempt_at, b.id LIMIT GREATEST(f.places, 0)
      FOR UPDATE SKIP LOCKED
    ) d
  ), leased AS (
    UPDATE webhook_batches b SET attempts = b.attempts + 1, locked_until = v_now + make_interval(secs => p_lease_ms / 1000.0)
    FROM due WHERE b.id = due.batch_id
    RETURNING b.id, b.endpoint_id, b.type, b.items, b.created_at, b.attempts, due.url, due.secret, due.previous_secret
  )
  SELECT l.id::text, l.endpoint_id, l.type::text, l.items, l.created_at::timestamptz, l.attempts, l.url, l.secret, l.previous_secret
  FROM leased l LIMIT p_limit * p_per_endpoint;
END $$;

-- Records one attempt's outcome — fenced by the attempt number, so an answer that comes after the lease
-- passed to another instance changes nothing: 'sent'; 'retry' (due again at p_next_at); 'failed' (no
-- retries left); 'disable' (410 Gone: the endpoint is switched off, the batch stays pending). Returns
-- whether the outcome was recorded.
CREATE FUNCTION push_hub_webhook_finish(p_id text, p_attempt integer, p_outcome text, p_status integer, p_error text,
                                        p_duration_ms integer, p_next_at timestamptz)
RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  v_batch record;
BEGIN
  UPDATE webhook_batches b SET
    state = CASE p_outcome WHEN 'sent' THEN 'sent' WHEN 'failed' THEN 'failed' ELSE 'pending' END,
    next_attempt_at = CASE WHEN p_outcome = 'retry' THEN p_next_at ELSE b.next_attempt_at END,
    finished_at = CASE WHEN p_outcome IN ('sent', 'failed') THEN now() END,
    locked_until = NULL
  WHERE b.id = p_id AND b.attempts = p_attempt AND b.state = 'pending'
  RETURNING b.endpoint_id, b.type, b.item_count INTO v_batch;
  IF NOT FOUND THEN RETURN false; END IF;
  INSERT INTO webhook_attempts (endpoint_id, batch_id, type, item_count, attempt, duration_ms, status_code, error, outcome)
  VALUES (v_batch.endpoint_id, p_id, v_batch.type, v_batch.item_count, p_attempt, p_duration_ms, p_status, p_error, p_outcome);
  IF p_outcome = 'disable' THEN
    UPDATE webhook_endpoints SET enabled = false, disabled_reason = 'the endpoint answered 410 Gone'
    WHERE webhook_endpoints.id = v_batch.endpoint_id;
  END IF;
  RETURN true;
END $$;

-- Pending work per endpoint (the metrics' gauge): events not yet batched, and items of batches not yet sent.
CREATE FUNCTION push_hub_webhook_pending()
RETURNS TABLE (endpoint_id uuid, events bigint, batched bigint)
LANGUAGE sql STABLE AS $$
  SELECT e.id,
         (SELECT count(*) FROM webhook_outbox o WHERE o.endpoint_id = e.id),
         (SELECT COALESCE(sum(b.item_count), 0)::bigint FROM webhook_batches b WHERE b.endpoint_id = e.id AND b.state = 'pending')
  FROM webhook_endpoints e
$$;

-- The changes that report their events: receipts (message.delivered), reads, cancels and the expiry sweep
-- (message.expired: a message whose expiry passed before any device acked it). Otherwise as before.

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
           jsonb_build_object('id', m.noce_ack::text, 'uid', r.uid, 'deliveredAt', push_hub_iso(r.acked_at))
    FROM rec r
    CROSS JOIN LATERAL (
      SELECT m.noce_ack, m.expires_at, m.cancelled_at FROM messages m
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
      (SELECT jsonb_agg(jsonb_build_object('id', i::text, 'uid', p_uid, 'readAt', push_hub_iso(v_now)) ORDER BY i) FROM unnest(v_ids) i));
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
  SELECT m.read_at, m.expires_at, m.cancelled_at INTO v_msg FROM messages m WHERE m.noce_ack = p_id FOR UPDATE;
  IF v_msg.cancelled_at IS NULL THEN
    UPDATE messages SET cancelled_at = v_now, expires_at = LEAST(COALESCE(expires_at, v_now), v_now), update_time = v_now
    WHERE noce_ack = p_id;
    IF v_msg.read_at IS NULL AND (v_msg.expires_at IS NULL OR v_msg.expires_at > v_swept) AND p_id >= push_hub_inbox_live_from() THEN
      UPDATE uid_inbox SET cleared = cleared + 1 WHERE uid_inbox.uid = v_uid;
    END IF;
    IF push_hub_webhook_wanted('message.cancelled') THEN
      PERFORM push_hub_webhook_record('message.cancelled',
        jsonb_build_array(jsonb_build_object('id', p_id::text, 'uid', v_uid, 'cancelledAt', push_hub_iso(v_now))));
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
      SELECT jsonb_agg(jsonb_build_object('id', m.noce_ack::text, 'uid', m.to_uid, 'expiredAt', push_hub_iso(m.expires_at)) ORDER BY m.noce_ack)
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
