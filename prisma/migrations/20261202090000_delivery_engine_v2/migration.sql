-- Delivery engine v2: an insert-only message log partitioned by id range, one stream row per uid with
-- its delivery position, delivery receipts as ranges, idempotency keys and group-commit tokens in tables
-- of their own. The delivery path never updates a message row and never takes a cluster-wide lock:
-- claims lock stream rows with SKIP LOCKED; accepts, acks and wake-ups lock only the rows of their uids,
-- always in uid order. docs/design.md states the invariants and why each holds.

-- 1. The v1 table steps aside; its rows are copied into the new log below.
ALTER TABLE messages RENAME TO messages_v1;
ALTER INDEX messages_pkey RENAME TO messages_v1_pkey;
ALTER INDEX messages_due_idx RENAME TO messages_v1_due_idx;
ALTER INDEX messages_uid_history_idx RENAME TO messages_v1_uid_history_idx;
ALTER INDEX messages_uid_status_idx RENAME TO messages_v1_uid_status_idx;
ALTER INDEX messages_expiry_idx RENAME TO messages_v1_expiry_idx;
ALTER INDEX messages_producer_idempotency_key_key RENAME TO messages_v1_producer_idempotency_key_key;
ALTER INDEX messages_uid_inflight_idx RENAME TO messages_v1_uid_inflight_idx;
ALTER SEQUENCE messages_noce_ack_seq OWNED BY NONE;
DROP FUNCTION push_hub_claim_due(integer, integer);
DROP FUNCTION push_hub_mark_delivered(bigint[], text[]);
DROP FUNCTION push_hub_wake_uid(text);

-- 2. The message log. Partition k holds ids [k·2^32, (k+1)·2^32); the sequence jumps to the next
-- partition's first id when the current one has been open for PARTITION_INTERVAL, and partitions sealed
-- longer than RETENTION ago are detached and dropped whole. Only `read_at`/`update_time` ever change.
CREATE TABLE "messages" (
    "noce_ack" BIGINT NOT NULL DEFAULT nextval('messages_noce_ack_seq'),
    "to_uid" VARCHAR(128) NOT NULL,
    "stream_seq" BIGINT NOT NULL,
    "msg_type" INTEGER NOT NULL DEFAULT 4,
    "client_type" INTEGER NOT NULL DEFAULT 0,
    "msg_extend" JSONB NOT NULL,
    "body_bytes" INTEGER NOT NULL,
    "expires_at" TIMESTAMPTZ(3),
    "producer" VARCHAR(64) NOT NULL DEFAULT '',
    "idempotency_key" VARCHAR(255),
    "create_time" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "read_at" TIMESTAMPTZ(3),
    "update_time" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "messages_pkey" PRIMARY KEY ("noce_ack")
) PARTITION BY RANGE ("noce_ack");
CREATE INDEX "messages_uid_idx" ON "messages"("to_uid", "noce_ack");
ALTER SEQUENCE messages_noce_ack_seq OWNED BY messages.noce_ack;

-- 3. Delivery receipts: one row per advance of a uid's acked position (messages first_seq..last_seq were
-- acked at acked_at; those with stream_seq <= retry_upto were redeliveries, sent as attempt `attempt`).
-- Partitioned like the log (by the id of the range's last message) and dropped with it.
CREATE TABLE "deliveries" (
    "uid" VARCHAR(128) NOT NULL,
    "first_seq" BIGINT NOT NULL,
    "last_seq" BIGINT NOT NULL,
    "last_id" BIGINT NOT NULL,
    "acked_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "attempt" INTEGER NOT NULL,
    "retry_upto" BIGINT NOT NULL,
    CONSTRAINT "deliveries_pkey" PRIMARY KEY ("uid", "last_id")
) PARTITION BY RANGE ("last_id");

-- 4. The partitions that exist, when each was opened (became the sequence's target) and sealed.
CREATE TABLE "message_partitions" (
    "epoch" INTEGER NOT NULL,
    "opened_at" TIMESTAMPTZ(3),
    "sealed_at" TIMESTAMPTZ(3),
    CONSTRAINT "message_partitions_pkey" PRIMARY KEY ("epoch")
);

-- 5. Per uid, two rows: its head (uid_heads: how many messages it has been given) and its stream
-- (uid_streams: delivery position and lease). Accepts lock and write the head; delivery writes the
-- stream. So an accept never waits for a delivery's progress write, nor a delivery for an accept —
-- the few decisions that need the head to be final (release, "nothing left to send") take a share lock
-- on it, skipping (and retrying later) a head an accept holds this instant.
-- Stream states (docs/design.md):
--   idle      due_at NULL, not parked (everything up to the head is acked)
--   due       due_at <= now(), lease_until NULL or past  → any instance may claim it
--   leased    lease_until > now() (= due_at): one instance sends its window; `lease` fences its writes
--   backoff   due_at > now(), lease_until NULL            → a delivery timed out; retried at due_at
--   parked    parked, due_at NULL                         → nobody was connected; a connect wakes it
CREATE TABLE "uid_heads" (
    "uid" VARCHAR(128) NOT NULL,
    "last_seq" BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT "uid_heads_pkey" PRIMARY KEY ("uid")
) WITH (fillfactor = 90);

CREATE TABLE "uid_streams" (
    "uid" VARCHAR(128) NOT NULL,
    "acked_seq" BIGINT NOT NULL DEFAULT 0,
    "acked_id" BIGINT NOT NULL DEFAULT 0,
    "sent_seq" BIGINT NOT NULL DEFAULT 0,
    "due_at" TIMESTAMPTZ,
    "lease_until" TIMESTAMPTZ,
    "lease" BIGINT NOT NULL DEFAULT 0,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "parked" BOOLEAN NOT NULL DEFAULT false,
    "wake_seq" BIGINT NOT NULL DEFAULT 0,
    "leased_by" UUID,
    CONSTRAINT "uid_streams_pkey" PRIMARY KEY ("uid")
) WITH (fillfactor = 80);
CREATE INDEX "uid_streams_due_idx" ON "uid_streams"("due_at") WHERE "due_at" IS NOT NULL;

-- 6. Idempotency keys: one per request (scope 'message' for POST /api/messages, 'batch' for a whole
-- batch), kept as long as the messages they point to.
CREATE TABLE "idempotency_keys" (
    "producer" VARCHAR(64) NOT NULL,
    "scope" VARCHAR(16) NOT NULL,
    "key" VARCHAR(255) NOT NULL,
    "request_hash" VARCHAR(64) NOT NULL,
    "message_ids" BIGINT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "idempotency_keys_pkey" PRIMARY KEY ("producer", "scope", "key")
);
CREATE INDEX "idempotency_keys_created_at_idx" ON "idempotency_keys"("created_at");

-- 7. Group-commit tokens: a group commit whose COMMIT outcome is unknown (connection lost) is retried
-- with the same token and gets the first try's answer instead of storing its messages twice.
CREATE TABLE "accept_batches" (
    "token" UUID NOT NULL,
    "result" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "accept_batches_pkey" PRIMARY KEY ("token")
);
CREATE INDEX "accept_batches_created_at_idx" ON "accept_batches"("created_at");

-- 8. Partition management.
CREATE FUNCTION push_hub_partition_span() RETURNS bigint LANGUAGE sql IMMUTABLE AS $$ SELECT 4294967296::bigint $$;

-- Creates and attaches partition p_epoch of messages and deliveries if it does not exist yet.
-- Writes: two new tables, message_partitions. Locks: SHARE UPDATE EXCLUSIVE on the parents (ATTACH,
-- which does not block reads or writes); the new, empty tables exclusively.
CREATE FUNCTION push_hub_ensure_partition(p_epoch integer) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  v_from bigint := p_epoch * push_hub_partition_span();
  v_to bigint := (p_epoch + 1) * push_hub_partition_span();
BEGIN
  IF EXISTS (SELECT 1 FROM message_partitions WHERE epoch = p_epoch) THEN
    RETURN false;
  END IF;
  EXECUTE format('CREATE TABLE %I (LIKE messages INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', 'messages_p' || p_epoch);
  EXECUTE format('ALTER TABLE messages ATTACH PARTITION %I FOR VALUES FROM (%s) TO (%s)', 'messages_p' || p_epoch, v_from, v_to);
  EXECUTE format('CREATE TABLE %I (LIKE deliveries INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', 'deliveries_p' || p_epoch);
  EXECUTE format('ALTER TABLE deliveries ATTACH PARTITION %I FOR VALUES FROM (%s) TO (%s)', 'deliveries_p' || p_epoch, v_from, v_to);
  INSERT INTO message_partitions (epoch) VALUES (p_epoch);
  RETURN true;
END $$;

-- Keeps the partition the sequence points into, and the next one, in place; when the current one has been
-- open for p_interval_ms, seals it and moves the sequence to the next one. Returns the open epoch.
-- One instance at a time (named transaction-level try-lock); the others return NULL and skip.
-- Reads/writes: message_partitions, the sequence. Locks: advisory 'push-hub:partition-maintenance'.
CREATE FUNCTION push_hub_roll_partitions(p_interval_ms bigint) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  v_current integer;
  v_opened timestamptz;
BEGIN
  IF NOT pg_try_advisory_xact_lock(hashtext('push-hub:partition-maintenance')) THEN
    RETURN NULL;
  END IF;
  SELECT (CASE WHEN is_called THEN last_value ELSE last_value - 1 END) / push_hub_partition_span()
    INTO v_current FROM messages_noce_ack_seq;
  PERFORM push_hub_ensure_partition(v_current);
  UPDATE message_partitions SET opened_at = COALESCE(opened_at, now()) WHERE epoch = v_current
    RETURNING opened_at INTO v_opened;
  IF v_opened <= now() - make_interval(secs => p_interval_ms / 1000.0) THEN
    PERFORM push_hub_ensure_partition(v_current + 1);
    PERFORM setval('messages_noce_ack_seq', GREATEST((v_current + 1) * push_hub_partition_span(),
      (SELECT last_value FROM messages_noce_ack_seq)), false);
    UPDATE message_partitions SET sealed_at = now() WHERE epoch <= v_current AND sealed_at IS NULL;
    v_current := v_current + 1;
    UPDATE message_partitions SET opened_at = now() WHERE epoch = v_current;
  END IF;
  PERFORM push_hub_ensure_partition(v_current + 1);
  RETURN v_current;
END $$;

-- 9. Accept one group commit. Reads/writes: accept_batches (the token), idempotency_keys (one row per
-- keyed request), uid_heads (one upsert per uid, in uid order: its lock, and its new stream_seq numbers),
-- messages (one row per message), uid_streams (only rows that are idle, or new). Each statement runs with
-- a fresh snapshot (READ COMMITTED, VOLATILE function), so an idempotency key committed by a concurrent
-- request while this one waited for it is seen by the statements after the wait.
-- Why the head lock comes first: ids are taken from the sequence only while the uid's head is locked,
-- so per uid, ids ascend in commit order and nobody sees a later id of a uid before an earlier one.
-- Live delivery without a claim (p_instance: the calling hub instance, NULL for none): with
-- p_lease_ms > 0 an idle stream (nothing pending, no lease, not parked) is leased to the caller, up to
-- p_lease_limit streams (the first in uid order): its new messages are exactly its window, which the
-- caller already holds, so it sends them at once. Other idle streams become due. A stream being
-- delivered is not written: its holder takes the new messages — handed over when it is the caller,
-- poked by the caller when it is another instance, or read at its next report.
-- Result rows: kind 'request' (req, outcome, ids), one per request, in order; 'lease' (uid, lease,
-- wake_seq, first_seq, created_at), a stream leased here; 'append' (same), a stream the caller already
-- holds; 'remote' (uid, holder), a stream another instance holds.
CREATE FUNCTION push_hub_accept(
  p_token uuid,
  p_req_producer text[], p_req_scope text[], p_req_key text[], p_req_hash text[],
  p_req integer[], p_uid text[], p_type integer[], p_client_type integer[], p_body text[], p_bytes integer[],
  p_expires timestamptz[], p_lease_ms integer, p_lease_limit integer, p_instance uuid, p_window integer DEFAULT 256)
RETURNS TABLE (kind text, req integer, outcome text, ids bigint[], uid varchar, lease bigint, wake_seq bigint,
               first_seq bigint, created_at timestamptz, holder uuid)
LANGUAGE plpgsql SET enable_seqscan = off AS $$
#variable_conflict use_column
DECLARE
  v_result jsonb;
  v_new_keys text[];
  v_fresh boolean[];
  v_alloc_uid text[];
  v_alloc_last bigint[];
  v_alloc_n bigint[];
  v_leased text[];
  v_ids bigint[];
  v_reqs integer[];
BEGIN
  INSERT INTO accept_batches (token) VALUES (p_token) ON CONFLICT DO NOTHING;
  IF NOT FOUND THEN
    SELECT result INTO v_result FROM accept_batches WHERE token = p_token;
    RETURN QUERY SELECT 'request', (r->>'req')::int, r->>'outcome', ARRAY(SELECT jsonb_array_elements_text(r->'ids'))::bigint[],
                        NULL::varchar, NULL::bigint, NULL::bigint, NULL::bigint, NULL::timestamptz, NULL::uuid
      FROM jsonb_array_elements(COALESCE(v_result, '[]'::jsonb)) r;
    RETURN;
  END IF;

  -- Keyed requests claim their key (waiting for a concurrent claim of the same key to end).
  WITH ins AS (
    INSERT INTO idempotency_keys (producer, scope, key, request_hash)
    SELECT r.producer, r.scope, r.key, r.hash
    FROM unnest(p_req_producer, p_req_scope, p_req_key, p_req_hash) AS r(producer, scope, key, hash)
    WHERE r.key IS NOT NULL ORDER BY 1, 2, 3
    ON CONFLICT DO NOTHING
    RETURNING producer, scope, key
  )
  SELECT array_agg(concat_ws(E'\x01', ins.producer, ins.scope, ins.key)) INTO v_new_keys FROM ins;

  -- A request stores its messages unless its key was there before (or earlier in this group commit).
  SELECT array_agg(r.key IS NULL OR (r.first AND concat_ws(E'\x01', r.producer, r.scope, r.key) = ANY(v_new_keys)) ORDER BY r.ord)
  INTO v_fresh
  FROM (
    SELECT q.*, row_number() OVER (PARTITION BY q.producer, q.scope, q.key ORDER BY q.ord) = 1 AS first
    FROM unnest(p_req_producer, p_req_scope, p_req_key) WITH ORDINALITY AS q(producer, scope, key, ord)
  ) r;

  -- Lock each uid's head (uid order: no deadlocks between concurrent accepts) and allocate its seqs.
  WITH cnt AS (
    SELECT m.uid, count(*) AS n FROM unnest(p_req, p_uid) AS m(req, uid) WHERE v_fresh[m.req + 1] GROUP BY m.uid
  ), alloc AS (
    INSERT INTO uid_heads AS h (uid, last_seq)
    SELECT cnt.uid, cnt.n FROM cnt ORDER BY cnt.uid
    ON CONFLICT (uid) DO UPDATE SET last_seq = h.last_seq + EXCLUDED.last_seq
    RETURNING h.uid, h.last_seq
  )
  SELECT array_agg(a.uid ORDER BY a.uid), array_agg(a.last_seq ORDER BY a.uid), array_agg(cnt.n ORDER BY a.uid)
  INTO v_alloc_uid, v_alloc_last, v_alloc_n
  FROM alloc a JOIN cnt ON cnt.uid = a.uid;

  -- Ids in request order (nextval runs in the scan order of the unnest); seqs follow ids within a uid.
  WITH m AS (
    SELECT nextval('messages_noce_ack_seq') AS id, m.*
    FROM unnest(p_req, p_uid, p_type, p_client_type, p_body, p_bytes, p_expires) WITH ORDINALITY
      AS m(req, uid, type, client_type, body, bytes, expires, ord)
    WHERE v_fresh[m.req + 1]
  ), ins AS (
    INSERT INTO messages (noce_ack, to_uid, stream_seq, msg_type, client_type, msg_extend, body_bytes, expires_at,
                          producer, idempotency_key)
    SELECT m.id, m.uid, a.last - a.n + row_number() OVER (PARTITION BY m.uid ORDER BY m.id), m.type, m.client_type,
           m.body::jsonb, m.bytes, m.expires, p_req_producer[m.req + 1], p_req_key[m.req + 1]
    FROM m JOIN unnest(v_alloc_uid, v_alloc_last, v_alloc_n) AS a(uid, last, n) ON a.uid = m.uid
  )
  SELECT array_agg(m.id ORDER BY m.ord), array_agg(m.req ORDER BY m.ord) INTO v_ids, v_reqs FROM m;

  -- Streams: new uids get one; idle ones are leased to the caller (or made due). Only rows that look idle
  -- are written. A release cannot slip in between: it decides under a share lock of the head, which this
  -- transaction holds exclusively until it commits.
  -- (new uids only: an ON CONFLICT check on an existing row would wait for a delivery updating it)
  INSERT INTO uid_streams (uid)
  SELECT a.uid FROM unnest(v_alloc_uid) AS a(uid)
  WHERE NOT EXISTS (SELECT 1 FROM uid_streams s WHERE s.uid = a.uid)
  ORDER BY a.uid ON CONFLICT DO NOTHING;
  WITH c AS (
    SELECT a.uid, a.last, a.n, p_lease_ms > 0 AND row_number() OVER (ORDER BY a.uid) <= p_lease_limit AS take
    FROM unnest(v_alloc_uid, v_alloc_last, v_alloc_n) AS a(uid, last, n)
  ), upd AS (
    UPDATE uid_streams s SET
      due_at = CASE WHEN c.take THEN now() + make_interval(secs => p_lease_ms / 1000.0) ELSE now() END,
      lease_until = CASE WHEN c.take THEN now() + make_interval(secs => p_lease_ms / 1000.0) END,
      lease = CASE WHEN c.take THEN s.lease + 1 ELSE s.lease END,
      leased_by = CASE WHEN c.take THEN p_instance END,
      attempts = 0,
      failures = 0
    FROM c WHERE s.uid = c.uid AND s.due_at IS NULL AND NOT s.parked
    RETURNING s.uid, c.take
  )
  SELECT array_agg(upd.uid) INTO v_leased FROM upd WHERE upd.take;

  WITH per_req AS (
    SELECT a.req, array_agg(a.id ORDER BY a.id) AS ids FROM unnest(v_ids, v_reqs) AS a(id, req) GROUP BY a.req
  )
  UPDATE idempotency_keys k SET message_ids = COALESCE(p.ids, '{}')
  FROM unnest(p_req_producer, p_req_scope, p_req_key) WITH ORDINALITY AS q(producer, scope, key, ord)
  LEFT JOIN per_req p ON p.req = q.ord - 1
  WHERE v_fresh[q.ord] AND q.key IS NOT NULL AND (k.producer, k.scope, k.key) = (q.producer, q.scope, q.key);

  WITH per_req AS (
    SELECT a.req, array_agg(a.id ORDER BY a.id) AS ids FROM unnest(v_ids, v_reqs) AS a(id, req) GROUP BY a.req
  )
  SELECT jsonb_agg(jsonb_build_object('req', r.req, 'outcome', r.outcome, 'ids', r.ids) ORDER BY r.req) INTO v_result
  FROM (
    SELECT q.ord::int - 1 AS req,
           CASE WHEN v_fresh[q.ord] THEN 'stored' WHEN k.request_hash = q.hash THEN 'replayed' ELSE 'conflict' END AS outcome,
           CASE WHEN v_fresh[q.ord] THEN COALESCE(p.ids, '{}') ELSE k.message_ids END AS ids
    FROM unnest(p_req_producer, p_req_scope, p_req_key, p_req_hash) WITH ORDINALITY AS q(producer, scope, key, hash, ord)
    LEFT JOIN per_req p ON p.req = q.ord - 1
    LEFT JOIN idempotency_keys k ON (k.producer, k.scope, k.key) = (q.producer, q.scope, q.key)
  ) r;

  UPDATE accept_batches SET result = v_result WHERE token = p_token;
  RETURN QUERY
    SELECT 'request', (r->>'req')::int, r->>'outcome', ARRAY(SELECT jsonb_array_elements_text(r->'ids'))::bigint[],
           NULL::varchar, NULL::bigint, NULL::bigint, NULL::bigint, NULL::timestamptz, NULL::uuid
    FROM jsonb_array_elements(v_result) r
    UNION ALL
    SELECT CASE WHEN a.uid = ANY(COALESCE(v_leased, '{}')) THEN 'lease' WHEN s.leased_by = p_instance THEN 'append' ELSE 'remote' END,
           NULL, NULL, NULL, a.uid::varchar, s.lease, s.wake_seq, a.last - a.n + 1, now(), s.leased_by
    FROM unnest(v_alloc_uid, v_alloc_last, v_alloc_n) AS a(uid, last, n)
    JOIN uid_streams s ON s.uid = a.uid
    WHERE p_instance IS NOT NULL
      AND (a.uid = ANY(COALESCE(v_leased, '{}')) OR (s.lease_until > now() AND s.leased_by IS NOT NULL));
END $$;

-- One message of a window (what the window reads below collect).
CREATE TYPE push_hub_window_row AS (
  uid varchar, snap_last bigint, id bigint, seq bigint, msg_type integer, client_type integer, msg jsonb,
  created_at timestamptz, body_bytes integer);

-- 10. Claim due streams. Reads: uid_streams (due ones, via uid_streams_due_idx), uid_heads, messages
-- (each claimed uid's next window, via messages_uid_idx from its acked id: earlier partitions are
-- pruned). Writes: the claimed stream rows (lease, positions). Locks: those stream rows FOR UPDATE and
-- their heads FOR SHARE, both SKIP LOCKED — a row another claim, a delivery or an accept holds right now
-- is skipped, never waited for, so claims on any number of instances run side by side. The windows are
-- read by a second statement, with a snapshot taken after the locks were granted: every message up to a
-- locked head's last_seq is visible to it.
-- A stream is chosen while the messages its window can hold (pending, capped at p_window) fit in
-- p_messages; the first always fits. A stream whose window comes back empty has nothing deliverable left
-- (expired, or dropped by retention): it is caught up and goes idle. A stream taken over from a lease
-- that lapsed (its holder died) may have had anything up to its head sent: all of it counts as a
-- redelivery. One row per stream is returned, its window as JSON (NULL for a stream that went idle).
CREATE FUNCTION push_hub_claim(p_streams integer, p_messages integer, p_window integer, p_window_bytes integer,
                               p_lease_ms integer, p_instance uuid DEFAULT NULL)
RETURNS TABLE (uid varchar, lease bigint, attempts integer, failures integer, retry_upto bigint, wake_seq bigint,
               acked_seq bigint, last_seq bigint, messages json)
LANGUAGE plpgsql SET enable_seqscan = off AS $$
#variable_conflict use_column
DECLARE
  v_uids text[];
BEGIN
  SELECT array_agg(c.uid ORDER BY c.uid) INTO v_uids FROM (
    SELECT l.uid, l.want, sum(l.want) OVER (ORDER BY l.due_at, l.uid) AS upto FROM (
      SELECT s.uid, s.due_at, LEAST(GREATEST(h.last_seq - s.acked_seq, 1), p_window) AS want
      FROM uid_streams s JOIN uid_heads h ON h.uid = s.uid
      WHERE s.due_at <= now() ORDER BY s.due_at LIMIT p_streams
      FOR UPDATE OF s SKIP LOCKED FOR SHARE OF h SKIP LOCKED
    ) l
  ) c WHERE c.upto - c.want < p_messages;
  IF v_uids IS NULL THEN
    RETURN;
  END IF;

  RETURN QUERY
  WITH s0 AS MATERIALIZED (
    SELECT s.*, h.last_seq FROM uid_streams s JOIN uid_heads h ON h.uid = s.uid WHERE s.uid = ANY(v_uids)
  ), win AS MATERIALIZED (
    SELECT s0.uid AS w_uid, w.* FROM s0 CROSS JOIN LATERAL (
      SELECT x.noce_ack, x.stream_seq, x.msg_type, x.client_type, x.msg_extend, x.create_time, x.body_bytes FROM (
        SELECT m.*, sum(m.body_bytes) OVER (ORDER BY m.noce_ack) AS bytes_upto FROM (
          SELECT m.noce_ack, m.stream_seq, m.msg_type, m.client_type, m.msg_extend, m.create_time, m.body_bytes
          FROM messages m
          WHERE m.to_uid = s0.uid AND m.noce_ack > s0.acked_id AND m.stream_seq > s0.acked_seq
            AND (m.expires_at IS NULL OR m.expires_at > now())
          ORDER BY m.noce_ack LIMIT p_window
        ) m
      ) x WHERE x.bytes_upto - x.body_bytes < p_window_bytes
    ) w
  ), top AS (
    SELECT win.w_uid, max(win.stream_seq) AS seq FROM win GROUP BY win.w_uid
  ), upd AS (
    UPDATE uid_streams s SET
      lease = s.lease + 1,
      leased_by = CASE WHEN t.seq IS NULL THEN NULL ELSE p_instance END,
      attempts = CASE WHEN t.seq IS NULL THEN 0
                      WHEN s0.lease_until IS NOT NULL OR s.sent_seq > s.acked_seq THEN s.attempts + 1
                      ELSE s.attempts END,
      sent_seq = CASE WHEN t.seq IS NULL THEN GREATEST(s.sent_seq, s0.last_seq) ELSE s.sent_seq END,
      acked_seq = CASE WHEN t.seq IS NULL THEN s0.last_seq ELSE s.acked_seq END,
      acked_id = CASE WHEN t.seq IS NULL
                      THEN GREATEST(s.acked_id, COALESCE((SELECT max(m.noce_ack) FROM messages m
                                                          WHERE m.to_uid = s.uid AND m.noce_ack > s.acked_id), 0))
                      ELSE s.acked_id END,
      due_at = CASE WHEN t.seq IS NULL THEN NULL ELSE now() + make_interval(secs => p_lease_ms / 1000.0) END,
      lease_until = CASE WHEN t.seq IS NULL THEN NULL ELSE now() + make_interval(secs => p_lease_ms / 1000.0) END,
      parked = false
    FROM s0 LEFT JOIN top t ON t.w_uid = s0.uid
    WHERE s.uid = s0.uid
    RETURNING s.uid, s.lease, s.attempts, s.failures, s.wake_seq
  )
  SELECT u.uid, u.lease, u.attempts, u.failures,
         CASE WHEN s0.lease_until IS NOT NULL THEN s0.last_seq ELSE s0.sent_seq END,
         u.wake_seq, s0.acked_seq, s0.last_seq,
         -- the window as one JSON array, oldest first (ids and seqs as text): one value to decode per uid
         (SELECT json_agg(json_build_object('id', w.noce_ack::text, 'seq', w.stream_seq::text, 'type', w.msg_type,
                                            'ct', w.client_type, 'msg', w.msg_extend, 'at', w.create_time,
                                            'b', w.body_bytes) ORDER BY w.noce_ack)
          FROM win w WHERE w.w_uid = u.uid)
  FROM upd u JOIN s0 ON s0.uid = u.uid
  ORDER BY u.uid;
END $$;

-- 11. Record a batch of lease holders' progress, one entry per uid, fenced by `lease` (an entry whose
-- lease is no longer current changes nothing and comes back 'lost').
-- p_end: 0 keep the lease (renew it once half of it is gone), 1 release (idle when caught up, otherwise
-- keep going), 2 park (nobody connected; unless a connect bumped wake_seq since the claim, then due now),
-- 3 back off for p_delay_ms, 4 hand back (due now: shutdown, or a holder giving up).
-- p_fetch_after: read the next window after this id (NULL: no read). p_sent_seq: the highest seq the
-- holder knows reached a socket (acked, or emitted to a connected socket that did not ack): a later
-- claim sends everything up to it as a redelivery. (What a holder emitted and then died with is
-- covered by the claim: a lapsed lease counts everything up to the head as possibly sent.)
-- Order of work, so that row locks are held for as short a time as possible and nobody waits:
--   1. the windows are read first, without locks (messages never change), with the heads' last_seq of
--      the same snapshot: a read that finds nothing up to that last_seq reports `skip_to`, the seq up
--      to which nothing is deliverable any more (expired, or dropped by retention);
--   2. the reporting stream rows are locked (uid order) with SKIP LOCKED; so are, FOR SHARE, the heads
--      of entries whose outcome depends on the head being final (a release, or a read that came back
--      empty): an entry whose row or head is held this instant comes back 'busy' and is reported again;
--   3. one UPDATE writes every held row (a kept lease that is not due for renewal changes no indexed
--      column: a HOT update); 4. receipts are inserted (in a subtransaction, so a partition dropped under
--      it cannot fail the batch).
-- Reads: messages, uid_heads, uid_streams. Writes: the held stream rows, deliveries.
CREATE FUNCTION push_hub_advance(
  p_uid text[], p_lease bigint[], p_acked_seq bigint[], p_acked_id bigint[], p_fetch_after bigint[],
  p_end smallint[], p_delay_ms integer[], p_wake_seq bigint[], p_attempt integer[], p_retry_upto bigint[],
  p_sent_seq bigint[], p_window integer, p_window_bytes integer, p_lease_ms integer)
RETURNS TABLE (uid varchar, state text, last_seq bigint, skip_to bigint, lease_left_ms integer, messages json)
LANGUAGE plpgsql SET enable_seqscan = off AS $$
#variable_conflict use_column
DECLARE
  v_win push_hub_window_row[];
  v_held text[];
  v_need text[];
  v_final text[];
  v_r_uid text[];
  v_r_first bigint[];
  v_r_last bigint[];
  v_r_id bigint[];
  v_r_attempt integer[];
  v_r_retry bigint[];
BEGIN
  -- 1. windows, with last_seq read by the same statement (one snapshot: every message up to that
  --    last_seq is visible to the read), no locks; uids without a read get one row with NULL id
  SELECT array_agg(ROW(i.uid, n.last_seq, w.noce_ack, w.stream_seq, w.msg_type, w.client_type, w.msg_extend,
                       w.create_time, w.body_bytes)::push_hub_window_row ORDER BY i.uid, w.noce_ack)
  INTO v_win
  FROM unnest(p_uid, p_fetch_after, p_end, p_acked_seq) AS i(uid, fetch_after, end_code, acked_seq)
  LEFT JOIN uid_heads n ON n.uid = i.uid
  LEFT JOIN LATERAL (
    SELECT x.* FROM (
      SELECT m.*, sum(m.body_bytes) OVER (ORDER BY m.noce_ack) AS bytes_upto FROM (
        SELECT m.noce_ack, m.stream_seq, m.msg_type, m.client_type, m.msg_extend, m.create_time, m.body_bytes
        FROM messages m
        WHERE m.to_uid = i.uid AND m.noce_ack > i.fetch_after AND m.stream_seq > i.acked_seq
          AND (m.expires_at IS NULL OR m.expires_at > now())
        ORDER BY m.noce_ack LIMIT p_window
      ) m
    ) x WHERE x.bytes_upto - x.body_bytes < p_window_bytes
  ) w ON i.fetch_after IS NOT NULL AND i.end_code IN (0, 1);

  -- 2. lock what is still ours, and the heads of entries that need them final; skip whatever is held
  SELECT array_agg(x.uid ORDER BY x.uid) INTO v_held FROM (
    SELECT s.uid FROM uid_streams s JOIN unnest(p_uid, p_lease) AS i(uid, lease) ON s.uid = i.uid AND s.lease = i.lease
    ORDER BY s.uid FOR UPDATE OF s SKIP LOCKED
  ) x;
  -- the head must be final for a release, and for a caught-up holder whose read came back empty
  SELECT array_agg(i.uid) INTO v_need
  FROM unnest(p_uid, p_fetch_after, p_end, p_acked_id) AS i(uid, fetch_after, end_code, acked_id)
  WHERE i.uid = ANY(v_held)
    AND (i.end_code = 1 OR (i.end_code = 0 AND i.fetch_after IS NOT NULL AND i.fetch_after <= i.acked_id
                            AND NOT EXISTS (SELECT 1 FROM unnest(COALESCE(v_win, '{}')) w WHERE w.uid = i.uid AND w.id IS NOT NULL)));
  SELECT array_agg(x.uid ORDER BY x.uid) INTO v_final FROM (
    SELECT h.uid FROM uid_heads h WHERE h.uid = ANY(COALESCE(v_need, '{}'))
    ORDER BY h.uid FOR SHARE OF h SKIP LOCKED
  ) x;

  -- receipts for the positions that advance (computed before the update below changes them)
  SELECT array_agg(s.uid), array_agg(s.acked_seq + 1), array_agg(i.acked_seq), array_agg(i.acked_id),
         array_agg(i.attempt), array_agg(i.retry_upto)
  INTO v_r_uid, v_r_first, v_r_last, v_r_id, v_r_attempt, v_r_retry
  FROM uid_streams s JOIN unnest(p_uid, p_lease, p_acked_seq, p_acked_id, p_attempt, p_retry_upto, p_end, p_fetch_after)
    AS i(uid, lease, acked_seq, acked_id, attempt, retry_upto, end_code, fetch_after) ON s.uid = i.uid AND s.lease = i.lease
  WHERE s.uid = ANY(v_held) AND i.acked_seq > s.acked_seq AND i.acked_id > s.acked_id
    AND (s.uid = ANY(COALESCE(v_final, '{}')) OR NOT s.uid = ANY(COALESCE(v_need, '{}')));

  -- 3. one update for every held row
  RETURN QUERY
  WITH i AS MATERIALIZED (
    SELECT * FROM unnest(p_uid, p_lease, p_acked_seq, p_acked_id, p_fetch_after, p_end, p_delay_ms, p_wake_seq, p_sent_seq)
      AS i(uid, lease, acked_seq, acked_id, fetch_after, end_code, delay_ms, wake_seq, sent_seq)
  ), unpacked AS MATERIALIZED (
    SELECT * FROM unnest(COALESCE(v_win, '{}')) w
  ), snap AS MATERIALIZED (
    SELECT DISTINCT w.uid, w.snap_last AS last_seq FROM unpacked w
  ), win AS MATERIALIZED (
    SELECT * FROM unpacked w WHERE w.id IS NOT NULL
  ), top AS MATERIALIZED (
    SELECT win.uid, max(win.seq) AS seq FROM win GROUP BY win.uid
  ), p AS MATERIALIZED (
    SELECT s.uid, h.last_seq, s.wake_seq AS cur_wake, s.acked_seq AS old_acked,
           GREATEST(s.acked_seq, i.acked_seq) AS new_acked, GREATEST(s.acked_id, i.acked_id) AS new_acked_id,
           i.fetch_after, i.end_code, i.delay_ms, i.wake_seq, i.sent_seq, t.seq AS fetched_seq,
           s.uid = ANY(COALESCE(v_final, '{}')) AS final,
           -- read came back empty: nothing deliverable up to the snapshot's last_seq
           CASE WHEN i.fetch_after IS NOT NULL AND i.end_code IN (0, 1) AND t.seq IS NULL THEN n.last_seq END AS skip_to
    FROM uid_streams s
    JOIN i ON i.uid = s.uid AND i.lease = s.lease
    JOIN uid_heads h ON h.uid = s.uid
    LEFT JOIN snap n ON n.uid = s.uid
    LEFT JOIN top t ON t.uid = s.uid
    WHERE s.uid = ANY(v_held) AND (s.uid = ANY(COALESCE(v_final, '{}')) OR NOT s.uid = ANY(COALESCE(v_need, '{}')))
  ), q AS MATERIALIZED (
    SELECT p.*,
           -- caught up (its read started at the acked id), nothing more deliverable, and the head (locked)
           -- has not moved since that read: everything up to last_seq is done
           (p.final AND p.skip_to IS NOT NULL AND p.fetch_after <= p.new_acked_id AND p.skip_to >= p.last_seq) AS skip,
           CASE WHEN p.end_code = 1 AND p.last_seq > p.new_acked
                 AND NOT (p.skip_to IS NOT NULL AND p.fetch_after <= p.new_acked_id AND p.skip_to >= p.last_seq)
                THEN 0::smallint
                WHEN p.end_code = 2 AND p.cur_wake <> p.wake_seq THEN 4::smallint
                ELSE p.end_code END AS end_eff
    FROM p
  ), upd AS (
    UPDATE uid_streams s SET
      acked_seq = CASE WHEN q.skip THEN q.last_seq ELSE q.new_acked END,
      acked_id = CASE WHEN q.skip
                      THEN GREATEST(q.new_acked_id, COALESCE((SELECT max(m.noce_ack) FROM messages m
                                                              WHERE m.to_uid = s.uid AND m.noce_ack > q.new_acked_id), 0))
                      ELSE q.new_acked_id END,
      sent_seq = GREATEST(s.sent_seq, q.sent_seq, CASE WHEN q.skip THEN q.last_seq ELSE 0 END),
      failures = CASE WHEN q.end_eff = 3 THEN s.failures + 1 WHEN q.new_acked > q.old_acked THEN 0 ELSE s.failures END,
      attempts = CASE WHEN q.skip OR q.new_acked >= GREATEST(s.sent_seq, q.sent_seq) THEN 0
                      ELSE s.attempts END,
      parked = (q.end_eff = 2 AND NOT q.skip),
      due_at = CASE
        WHEN q.skip AND q.end_eff IN (0, 1) THEN NULL
        WHEN q.end_eff = 0 AND s.lease_until > now() + make_interval(secs => p_lease_ms / 2000.0) THEN s.due_at
        WHEN q.end_eff = 0 THEN now() + make_interval(secs => p_lease_ms / 1000.0)
        WHEN q.end_eff = 1 THEN NULL
        WHEN q.end_eff = 2 THEN NULL
        WHEN q.end_eff = 3 THEN now() + make_interval(secs => q.delay_ms / 1000.0)
        ELSE now() END,
      lease_until = CASE
        WHEN q.end_eff <> 0 OR q.skip THEN NULL
        WHEN s.lease_until > now() + make_interval(secs => p_lease_ms / 2000.0) THEN s.lease_until
        ELSE now() + make_interval(secs => p_lease_ms / 1000.0) END,
      leased_by = CASE WHEN q.end_eff = 0 AND NOT q.skip THEN s.leased_by END
    FROM q WHERE s.uid = q.uid
    RETURNING s.uid, q.last_seq, q.end_eff, q.skip, q.skip_to,
              (extract(epoch FROM s.lease_until - now()) * 1000)::int AS lease_left_ms
  ), res AS (
    SELECT u.uid::varchar AS uid,
           CASE WHEN u.skip AND u.end_eff IN (0, 1) THEN 'released' WHEN u.end_eff = 0 THEN 'held'
                WHEN u.end_eff = 1 THEN 'released' WHEN u.end_eff = 2 THEN 'parked' WHEN u.end_eff = 3 THEN 'backoff'
                ELSE 'handed_back' END AS state,
           u.last_seq, u.skip_to, u.lease_left_ms
    FROM upd u
    UNION ALL
    SELECT i.uid, CASE WHEN s.uid IS NOT NULL THEN 'busy' ELSE 'lost' END, h.last_seq, NULL::bigint, NULL::int
    FROM i LEFT JOIN uid_streams s ON s.uid = i.uid AND s.lease = i.lease
    LEFT JOIN uid_heads h ON h.uid = i.uid
    WHERE NOT EXISTS (SELECT 1 FROM p WHERE p.uid = i.uid)
  )
  SELECT r.uid, r.state, r.last_seq, r.skip_to, r.lease_left_ms,
         -- the window as one JSON array, oldest first (ids and seqs as text): one value to decode per uid
         CASE WHEN r.state = 'held' THEN
           (SELECT json_agg(json_build_object('id', w.id::text, 'seq', w.seq::text, 'type', w.msg_type, 'ct', w.client_type,
                                              'msg', w.msg, 'at', w.created_at, 'b', w.body_bytes) ORDER BY w.id)
            FROM win w WHERE w.uid = r.uid) END
  FROM res r
  ORDER BY r.uid;

  -- 4. receipts
  IF v_r_uid IS NOT NULL THEN
    BEGIN
      INSERT INTO deliveries (uid, first_seq, last_seq, last_id, attempt, retry_upto)
      SELECT * FROM unnest(v_r_uid, v_r_first, v_r_last, v_r_id, v_r_attempt, v_r_retry)
      ON CONFLICT DO NOTHING;
    EXCEPTION WHEN OTHERS THEN
      RAISE WARNING 'push-hub: delivery receipts not recorded: %', SQLERRM;
    END;
  END IF;
END $$;

-- A window read must walk (to_uid, noce_ack) from the acked id and stop after the window. Without
-- statistics (a partition filled faster than it is analyzed) the planner may prefer a bitmap scan of
-- all of a uid's rows plus a sort: O(backlog). Bitmap scans are off inside the functions that read windows.
-- Likewise uid_heads and uid_streams are rewritten all the time; between vacuums a hash join over a
-- sequential scan of them reads every dead row version. accept, claim and advance touch a known set of
-- uids, so sequential scans are off inside them too (declared with each function).
ALTER FUNCTION push_hub_claim(integer, integer, integer, integer, integer, uuid) SET enable_bitmapscan = off;
ALTER FUNCTION push_hub_advance(text[], bigint[], bigint[], bigint[], bigint[], smallint[], integer[], bigint[], integer[], bigint[], bigint[], integer, integer, integer) SET enable_bitmapscan = off;

-- 12. A socket of each uid joined its room (p_only_parked = false), or the periodic check of locally
-- connected uids (true): parked streams become due (a claim finds out whether anything is pending);
-- backing-off streams come forward (connect only); a leased stream keeps its holder but its wake_seq
-- moves, so a holder that saw an empty room before this connect cannot park it. Streams with nothing to
-- wake are not written. Reads/writes/locks: the uids' stream rows, locked in uid order.
CREATE FUNCTION push_hub_wake(p_uids text[], p_only_parked boolean)
RETURNS TABLE (uid varchar, due boolean)
LANGUAGE sql AS $$
  WITH l AS (
    SELECT s.uid FROM uid_streams s
    WHERE s.uid = ANY(p_uids) AND (s.parked OR (NOT p_only_parked AND s.due_at > now()))
    ORDER BY s.uid FOR UPDATE
  )
  UPDATE uid_streams s SET
    wake_seq = s.wake_seq + 1,
    parked = false,
    failures = CASE WHEN s.lease_until > now() THEN s.failures ELSE 0 END,
    due_at = CASE WHEN s.lease_until > now() THEN s.due_at ELSE now() END
  FROM l WHERE s.uid = l.uid AND (s.parked OR (NOT p_only_parked AND s.due_at > now()))
  RETURNING s.uid, s.lease_until IS NULL OR s.lease_until <= now()
$$;

-- 13. v1 → v2: every v1 row enters the log with its id; each uid's position is just before its first
-- message still queued (later ones that v1 had delivered out of that order are delivered again: at least
-- once); delivered ones get a receipt; idempotency keys keep working.
SELECT push_hub_ensure_partition(0);
SELECT push_hub_ensure_partition(
  (SELECT ((CASE WHEN is_called THEN last_value ELSE last_value - 1 END) / push_hub_partition_span())::int
   FROM messages_noce_ack_seq));
UPDATE message_partitions SET opened_at = now()
WHERE epoch = (SELECT ((CASE WHEN is_called THEN last_value ELSE last_value - 1 END) / push_hub_partition_span())::int
               FROM messages_noce_ack_seq);

INSERT INTO messages (noce_ack, to_uid, stream_seq, msg_type, client_type, msg_extend, body_bytes, expires_at, producer,
                      idempotency_key, create_time, read_at, update_time)
SELECT noce_ack, to_uid, row_number() OVER (PARTITION BY to_uid ORDER BY noce_ack), msg_type, client_type, msg_extend,
       octet_length(msg_extend::text), expires_at, producer, idempotency_key, create_time, read_at, update_time
FROM messages_v1;

INSERT INTO uid_heads (uid, last_seq)
SELECT to_uid, max(stream_seq) FROM messages GROUP BY to_uid;

INSERT INTO uid_streams (uid, acked_seq, acked_id, sent_seq, due_at)
SELECT s.to_uid, s.acked_seq,
       COALESCE((SELECT max(m.noce_ack) FROM messages m WHERE m.to_uid = s.to_uid AND m.stream_seq <= s.acked_seq), 0),
       s.acked_seq, CASE WHEN s.acked_seq < s.last_seq THEN now() END
FROM (
  SELECT m.to_uid, max(m.stream_seq) AS last_seq,
         COALESCE(min(m.stream_seq) FILTER (WHERE v.status = 'queued' AND (v.expires_at IS NULL OR v.expires_at > now())) - 1,
                  max(m.stream_seq)) AS acked_seq
  FROM messages m JOIN messages_v1 v ON v.noce_ack = m.noce_ack GROUP BY m.to_uid
) s;

INSERT INTO deliveries (uid, first_seq, last_seq, last_id, acked_at, attempt, retry_upto)
SELECT m.to_uid, m.stream_seq, m.stream_seq, m.noce_ack, COALESCE(v.delivered_at, v.update_time), GREATEST(v.attempts, 1),
       CASE WHEN v.attempts > 1 THEN m.stream_seq ELSE 0 END
FROM messages m JOIN messages_v1 v ON v.noce_ack = m.noce_ack
WHERE v.status IN ('delivered', 'read');

INSERT INTO idempotency_keys (producer, scope, key, request_hash, message_ids, created_at)
SELECT producer, 'message', idempotency_key, '', ARRAY[noce_ack], create_time FROM messages_v1
WHERE idempotency_key IS NOT NULL;

DROP TABLE messages_v1;
DROP TYPE message_status;
