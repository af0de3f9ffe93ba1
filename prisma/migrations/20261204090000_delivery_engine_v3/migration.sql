-- Delivery engine v3: the lease follows the sockets. docs/design.md states the invariants and why each
-- holds; this file is the SQL half.
--
-- What changes against v2:
-- * A uid's delivery is held by the hub instance that holds one of its sockets, for as long as it does:
--   a connect grants it (push_hub_wake), the last disconnect gives it up or hands it to an instance that
--   still holds a socket (push_hub_end). A held uid's accepts write no stream row at all; its holder learns
--   of them from the accepting instance (or reads them).
-- * Holders are alive while their row in hub_instances is (a heartbeat a second): no per-uid lease to renew.
--   A dead holder's uids are reaped (due now) by any instance.
-- * Who delivers a uid (holder, lease, parked, due_at, wake_seq, attempts, failures) lives on its head
--   row, beside last_seq: an accept locks that row anyway, so it sees the current holder without another
--   lock, and every change of holder is serialised with the uid's accepts.
-- * Positions (acked_seq, acked_id, sent_seq) stay on uid_streams. Only holders write them, monotonic, in
--   one statement per flush with synchronous_commit off (push_hub_record): a position lost in a crash of
--   PostgreSQL is a redelivery, which at-least-once allows.
--
-- Lock order, everywhere: uid_heads before uid_streams, uids in ascending order. Accepts, wakes, ends and the
-- reaper wait for head rows; claims skip locked ones.

-- 1. Instances. A holder sends only while its own alive_until (less a safety margin) lies ahead.
CREATE TABLE "hub_instances" (
    "id" UUID NOT NULL,
    "alive_until" TIMESTAMPTZ NOT NULL,
    "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT "hub_instances_pkey" PRIMARY KEY ("id")
);

-- 2. The head row takes the holder state over from the stream row.
ALTER TABLE "uid_heads"
    ADD COLUMN "holder" UUID,
    ADD COLUMN "lease" BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN "parked" BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN "due_at" TIMESTAMPTZ,
    ADD COLUMN "wake_seq" BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN "attempts" INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN "failures" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "uid_heads" SET (fillfactor = 80);

-- v2 leases belonged to hubs that are stopped for this migration: their uids are due now, and whatever
-- they held may have been sent (so it goes out again as a redelivery).
UPDATE uid_heads h SET
  lease = s.lease,
  parked = s.parked AND s.lease_until IS NULL,
  due_at = CASE WHEN s.lease_until IS NOT NULL THEN now() ELSE s.due_at END,
  wake_seq = s.wake_seq,
  attempts = s.attempts,
  failures = s.failures
FROM uid_streams s WHERE s.uid = h.uid;
UPDATE uid_streams s SET sent_seq = GREATEST(s.sent_seq, h.last_seq)
FROM uid_heads h WHERE h.uid = s.uid AND s.lease_until IS NOT NULL;

ALTER TABLE "uid_streams"
    DROP COLUMN "due_at",
    DROP COLUMN "lease_until",
    DROP COLUMN "lease",
    DROP COLUMN "attempts",
    DROP COLUMN "failures",
    DROP COLUMN "parked",
    DROP COLUMN "wake_seq",
    DROP COLUMN "leased_by";

CREATE INDEX "uid_heads_due_idx" ON "uid_heads"("due_at") WHERE "due_at" IS NOT NULL;
CREATE INDEX "uid_heads_holder_idx" ON "uid_heads"("holder") WHERE "holder" IS NOT NULL;
-- A holder is always an instance with a row (a heartbeat before it takes anything; rows of dead instances
-- go only once they hold nothing), so the reaper finds every dead holder through hub_instances.
ALTER TABLE "uid_heads" ADD CONSTRAINT "uid_heads_holder_fkey" FOREIGN KEY ("holder") REFERENCES "hub_instances"("id");

-- 3. Group-commit tokens keep their answer as arrays (cheaper to write than JSON).
DELETE FROM accept_batches;
ALTER TABLE "accept_batches"
    DROP COLUMN "result",
    ADD COLUMN "outcomes" TEXT[],
    ADD COLUMN "ids" BIGINT[],
    ADD COLUMN "counts" INTEGER[];

DROP FUNCTION push_hub_accept(uuid, text[], text[], text[], text[], integer[], text[], integer[], integer[], text[], integer[], timestamptz[], integer, integer, uuid, integer);
DROP FUNCTION push_hub_claim(integer, integer, integer, integer, integer, uuid);
DROP FUNCTION push_hub_advance(text[], bigint[], bigint[], bigint[], bigint[], smallint[], integer[], bigint[], integer[], bigint[], bigint[], integer, integer, integer);
DROP FUNCTION push_hub_wake(text[], boolean);
DROP TYPE push_hub_window_row;

-- Head states (docs/design.md §3):
--   held      holder set (and alive): that instance delivers; due_at NULL, not parked
--   idle      no holder, due_at NULL, not parked: nothing pending (or nobody ever asked)
--   parked    no holder, parked: pending, and nobody was connected; a connect grants it
--   due       no holder, due_at <= now(): any instance's claim may take it
--   backoff   no holder, due_at > now(): its last delivery got no ack; due again at due_at

-- 4. One uid's next window: up to p_window messages and p_window_bytes after (p_after_id, p_after_seq),
-- oldest first, expired ones left out. Inlined into its callers (a plain SQL set-returning function), so
-- the read walks messages_uid_idx from the position and stops after the window: earlier partitions are
-- pruned, the cost does not depend on the backlog.
CREATE FUNCTION push_hub_window(p_uid varchar, p_after_id bigint, p_after_seq bigint, p_window integer, p_window_bytes integer)
RETURNS TABLE (id bigint, seq bigint, msg_type integer, client_type integer, msg jsonb, created_at timestamptz, body_bytes integer)
LANGUAGE sql STABLE AS $$
  SELECT x.noce_ack, x.stream_seq, x.msg_type, x.client_type, x.msg_extend, x.create_time, x.body_bytes FROM (
    SELECT w.*, sum(w.body_bytes) OVER (ORDER BY w.noce_ack) AS bytes_upto FROM (
      SELECT m.noce_ack, m.stream_seq, m.msg_type, m.client_type, m.msg_extend, m.create_time, m.body_bytes
      FROM messages m
      WHERE m.to_uid = p_uid AND m.noce_ack > p_after_id AND m.stream_seq > p_after_seq
        AND (m.expires_at IS NULL OR m.expires_at > now())
      ORDER BY m.noce_ack LIMIT p_window
    ) w
  ) x WHERE x.bytes_upto - x.body_bytes < p_window_bytes
$$;

-- A window as one JSON array (ids and seqs as text): one value for the hub to decode per uid.
CREATE FUNCTION push_hub_window_json(p_uid varchar, p_after_id bigint, p_after_seq bigint, p_window integer, p_window_bytes integer)
RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_agg(json_build_object('id', w.id::text, 'seq', w.seq::text, 'type', w.msg_type, 'ct', w.client_type,
                                    'msg', w.msg, 'at', w.created_at, 'b', w.body_bytes) ORDER BY w.id)
  FROM push_hub_window(p_uid, p_after_id, p_after_seq, p_window, p_window_bytes) w
$$;

-- 5. Accepts are one statement the hub sends (server/store/accept-statement.ts): one head upsert per uid
-- (its lock orders the uid's ids and allocates its seqs; an unheld idle head parks; a held one returns
-- its holder), the messages, new position rows and the group-commit token. Keyed commits claim their
-- idempotency keys first, in the same transaction (server/store/accept-keyed.ts).

-- 6. Instances: a heartbeat (each instance, every second) and the reaper. Returns how long the instance is
-- alive from the database's now(), in ms; the instance counts that from when the answer arrived (later),
-- so its own estimate is never longer than the database's.
CREATE FUNCTION push_hub_heartbeat(p_instance uuid, p_alive_ms integer)
RETURNS integer
LANGUAGE sql AS $$
  INSERT INTO hub_instances AS i (id, alive_until) VALUES (p_instance, now() + make_interval(secs => p_alive_ms / 1000.0))
  ON CONFLICT (id) DO UPDATE SET alive_until = EXCLUDED.alive_until
  RETURNING (extract(epoch FROM i.alive_until - now()) * 1000)::int
$$;

-- Heads held by instances no longer alive become due (any claim takes them); whatever their holder had
-- read may have been sent, so it goes out again as a redelivery. Instances dead for an hour and holding
-- nothing are forgotten. Returns how many heads were freed.
-- Writes: uid_heads, uid_streams (those uids), hub_instances. Locks: those head and stream rows.
CREATE FUNCTION push_hub_reap()
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  v_dead uuid[];
  v_uids text[];
BEGIN
  SELECT array_agg(i.id) INTO v_dead FROM hub_instances i WHERE i.alive_until < now();
  IF v_dead IS NULL THEN RETURN 0; END IF;
  WITH freed AS (
    UPDATE uid_heads h SET holder = NULL, due_at = now(), parked = false
    FROM (SELECT x.uid FROM uid_heads x WHERE x.holder = ANY(v_dead) ORDER BY x.uid FOR UPDATE) l
    WHERE h.uid = l.uid AND h.holder = ANY(v_dead)
    RETURNING h.uid, h.last_seq
  ), sent AS (
    UPDATE uid_streams s SET sent_seq = GREATEST(s.sent_seq, f.last_seq) FROM freed f WHERE s.uid = f.uid
  )
  SELECT array_agg(f.uid) INTO v_uids FROM freed f;
  DELETE FROM hub_instances i WHERE i.alive_until < now() - interval '1 hour'
    AND NOT EXISTS (SELECT 1 FROM uid_heads h WHERE h.holder = i.id);
  RETURN COALESCE(cardinality(v_uids), 0);
END $$;

-- 7. A socket of each uid connected to p_instance (or, with p_only_unheld, the periodic check of uids
-- connected there). Locks the heads in uid order (waiting for accepts), creating them for uids that
-- never had a message, then per uid:
--   not held (idle, parked, due, backoff, or held by an instance no longer alive) → granted to p_instance:
--     new lease, not parked, not scheduled; a stream taken from a dead holder counts all it may have sent;
--   held by another live instance → wake_seq moves (its holder's release is refused from now on: the
--     stream becomes due instead of idle or parked) and that holder is returned (skipped with p_only_unheld);
--   held by p_instance → nothing.
-- Returns per uid: outcome 'granted' | 'held' | 'mine', holder, lease, wake_seq, positions, head and
-- unread stamps (total = last_seq, cleared).
-- Writes: uid_heads, uid_streams (new uids; sent_seq of streams taken from dead holders).
CREATE FUNCTION push_hub_wake(p_uids text[], p_instance uuid, p_only_unheld boolean)
RETURNS TABLE (uid varchar, outcome text, holder uuid, lease bigint, wake_seq bigint, attempts integer, failures integer,
               acked_seq bigint, acked_id bigint, sent_seq bigint, last_seq bigint, cleared bigint)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_dead text[];
BEGIN
  IF NOT p_only_unheld THEN
    INSERT INTO uid_heads (uid) SELECT u.uid FROM unnest(p_uids) AS u(uid)
    WHERE NOT EXISTS (SELECT 1 FROM uid_heads h WHERE h.uid = u.uid) ORDER BY u.uid ON CONFLICT DO NOTHING;
    INSERT INTO uid_streams (uid) SELECT u.uid FROM unnest(p_uids) AS u(uid)
    WHERE NOT EXISTS (SELECT 1 FROM uid_streams s WHERE s.uid = u.uid) ORDER BY u.uid ON CONFLICT DO NOTHING;
  END IF;

  PERFORM 1 FROM uid_heads h WHERE h.uid = ANY(p_uids) ORDER BY h.uid FOR UPDATE;
  -- A new statement after the locks: it sees every grant that committed while this one waited.
  -- Heads whose holder is gone: what it read may have been sent.
  SELECT array_agg(h.uid) INTO v_dead FROM uid_heads h
  WHERE h.uid = ANY(p_uids) AND h.holder IS NOT NULL AND h.holder <> p_instance
    AND NOT EXISTS (SELECT 1 FROM hub_instances i WHERE i.id = h.holder AND i.alive_until > now());
  IF v_dead IS NOT NULL THEN
    UPDATE uid_streams s SET sent_seq = GREATEST(s.sent_seq, h.last_seq)
    FROM uid_heads h WHERE h.uid = s.uid AND s.uid = ANY(v_dead);
  END IF;

  RETURN QUERY
  WITH cur AS MATERIALIZED (
    SELECT h.uid, h.holder, h.lease, h.wake_seq, h.last_seq, h.attempts, h.failures,
           CASE WHEN h.holder = p_instance THEN 'mine'
                WHEN h.holder IS NOT NULL AND NOT h.uid = ANY(COALESCE(v_dead, '{}')) THEN 'held'
                ELSE 'granted' END AS outcome
    FROM uid_heads h WHERE h.uid = ANY(p_uids)
  ), upd AS (
    UPDATE uid_heads h SET
      holder = CASE WHEN c.outcome = 'granted' THEN p_instance ELSE h.holder END,
      lease = CASE WHEN c.outcome = 'granted' THEN h.lease + 1 ELSE h.lease END,
      wake_seq = h.wake_seq + 1,
      parked = CASE WHEN c.outcome = 'granted' THEN false ELSE h.parked END,
      due_at = CASE WHEN c.outcome = 'granted' THEN NULL ELSE h.due_at END,
      failures = CASE WHEN c.outcome = 'granted' THEN 0 ELSE h.failures END,
      attempts = CASE WHEN c.outcome = 'granted' AND s.sent_seq > s.acked_seq THEN h.attempts + 1
                      WHEN c.outcome = 'granted' THEN 0 ELSE h.attempts END
    FROM cur c JOIN uid_streams s ON s.uid = c.uid
    WHERE h.uid = c.uid AND (c.outcome = 'granted' OR (c.outcome = 'held' AND NOT p_only_unheld))
    RETURNING h.uid, h.holder, h.lease, h.wake_seq, h.attempts, h.failures
  )
  SELECT c.uid, c.outcome, COALESCE(u.holder, c.holder), COALESCE(u.lease, c.lease), COALESCE(u.wake_seq, c.wake_seq),
         COALESCE(u.attempts, c.attempts), COALESCE(u.failures, c.failures), s.acked_seq, s.acked_id, s.sent_seq, c.last_seq,
         COALESCE(i.cleared, 0)
  FROM cur c
  LEFT JOIN upd u ON u.uid = c.uid
  JOIN uid_streams s ON s.uid = c.uid
  LEFT JOIN uid_inbox i ON i.uid = c.uid
  WHERE NOT (p_only_unheld AND c.outcome <> 'granted')
  ORDER BY c.uid;
END $$;

-- 8. Claim due heads (backoffs that came due, hand-backs, reaped ones): lock up to p_heads of them in due
-- order with SKIP LOCKED (a head an accept, a wake or another claim holds this instant is skipped, never
-- waited for), keep those whose windows fit in p_messages; then, in a second statement whose snapshot
-- follows the locks, read each one's window and grant it to p_instance. A head whose window comes back
-- empty has nothing deliverable left up to its (locked, final) last_seq: its position skips to it and it
-- goes idle. Returns one row per head: the grant and its first window as JSON (NULL when it went idle).
-- Writes: uid_heads, uid_streams (skips). Locks: the claimed head rows.
CREATE FUNCTION push_hub_claim(p_heads integer, p_messages integer, p_window integer, p_window_bytes integer, p_instance uuid)
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
         (SELECT json_agg(json_build_object('id', w.id::text, 'seq', w.seq::text, 'type', w.msg_type, 'ct', w.client_type,
                                            'msg', w.msg, 'at', w.created_at, 'b', w.body_bytes) ORDER BY w.id)
          FROM win w WHERE w.w_uid = u.uid)
  FROM upd u JOIN s0 ON s0.uid = u.uid LEFT JOIN uid_inbox i ON i.uid = u.uid
  ORDER BY u.uid;
END $$;

-- 9. Holders read their next windows (no lock, nothing written: the log never changes). Per uid: the
-- head's last_seq of the same snapshot as the read, so "nothing deliverable after the given position up to
-- last_seq" is a fact: then skip_to = last_seq and skip_id = the uid's newest id (expired, cancelled or
-- dropped messages in between are passed over). Also the unread stamps.
CREATE FUNCTION push_hub_read(p_uids text[], p_after_ids bigint[], p_after_seqs bigint[], p_window integer, p_window_bytes integer)
RETURNS TABLE (uid varchar, last_seq bigint, cleared bigint, skip_to bigint, skip_id bigint, messages json)
LANGUAGE sql STABLE SET enable_seqscan = off SET enable_bitmapscan = off AS $$
  SELECT i.uid::varchar, h.last_seq, COALESCE(x.cleared, 0),
         CASE WHEN w.j IS NULL THEN h.last_seq END,
         CASE WHEN w.j IS NULL THEN (SELECT max(m.noce_ack) FROM messages m WHERE m.to_uid = i.uid AND m.noce_ack > i.after_id) END,
         w.j
  FROM unnest(p_uids, p_after_ids, p_after_seqs) AS i(uid, after_id, after_seq)
  JOIN uid_heads h ON h.uid = i.uid
  LEFT JOIN uid_inbox x ON x.uid = i.uid
  CROSS JOIN LATERAL (SELECT push_hub_window_json(i.uid, i.after_id, i.after_seq, p_window, p_window_bytes) AS j) w
$$;

-- 10. Positions of held uids: acked (with the receipt of the range acked since the holder's last write,
-- from p_first_seq) and sent. Monotonic, so a write that arrives late or from a holder that has just lost
-- the uid moves nothing backwards (acks are acks, whoever relayed them). One statement. Receipts are
-- kept only for partitions not being dropped (a receipt for a dropped partition would fail the write).
-- Writes: uid_streams (HOT: no indexed column changes), deliveries.
CREATE FUNCTION push_hub_write_positions(p_uids text[], p_first_seq bigint[], p_acked_seq bigint[], p_acked_id bigint[],
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
    RETURNING 1
  )
  SELECT count(*)::int FROM rec
$$;

-- Holders' periodic position records (the hot path: one statement per flush for every uid that moved).
-- Committed with synchronous_commit off: a record lost in a crash of PostgreSQL is a redelivery, which
-- at-least-once allows; any later synchronous commit (an accept, an end) flushes it too (docs/design.md §5).
CREATE FUNCTION push_hub_record(p_uids text[], p_first_seq bigint[], p_acked_seq bigint[], p_acked_id bigint[],
                                p_sent_seq bigint[], p_attempt integer[], p_retry_upto bigint[])
RETURNS integer
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('synchronous_commit', 'off', true);
  RETURN push_hub_write_positions(p_uids, p_first_seq, p_acked_seq, p_acked_id, p_sent_seq, p_attempt, p_retry_upto);
END $$;

-- 11. A holder gives uids up (ends are named, not numbered):
--   release  — nobody of the uid is connected anywhere: idle when everything is acked, else parked; but
--              if a connect moved wake_seq since the holder's grant, due now (a claim routes it);
--   backoff  — its sockets did not ack in time: due again after p_delay_ms, failures as given;
--   handback — due now (shutdown, or a holder that can no longer send: another instance takes it);
--   transfer — to p_to (an instance holding a socket of the uid): a new lease, which is returned; to an
--              instance not alive (the registry named one that is gone) it is a release instead.
-- Fenced: only the holder's current lease ends anything ('lost' otherwise). Positions are written first, in
-- the same (synchronous) commit. Heads are locked first, in uid order (waiting for accepts: a release
-- must see every message accepted before it), then streams.
-- Returns per uid: state idle | parked | due | backoff | handed_back | transferred | lost, the lease after,
-- and last_seq.
CREATE FUNCTION push_hub_end(p_instance uuid, p_uids text[], p_leases bigint[], p_ends text[], p_delay_ms integer[],
                             p_failures integer[], p_wake_seqs bigint[], p_to uuid[], p_first_seq bigint[], p_acked_seq bigint[],
                             p_acked_id bigint[], p_sent_seq bigint[], p_attempt integer[], p_retry_upto bigint[])
RETURNS TABLE (uid varchar, state text, lease bigint, last_seq bigint)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
  PERFORM 1 FROM uid_heads h WHERE h.uid = ANY(p_uids) ORDER BY h.uid FOR UPDATE;
  PERFORM push_hub_write_positions(p_uids, p_first_seq, p_acked_seq, p_acked_id, p_sent_seq, p_attempt, p_retry_upto);
  RETURN QUERY
  WITH i AS (
    SELECT * FROM unnest(p_uids, p_leases, p_ends, p_delay_ms, p_failures, p_wake_seqs, p_to)
      AS i(uid, lease, end_code, delay_ms, failures, wake_seq, to_instance)
  ), q AS MATERIALIZED (
    -- a transfer goes only to an instance alive now; to any other it is a release
    SELECT i.uid, i.lease, i.delay_ms, i.failures, i.wake_seq, i.to_instance,
           CASE WHEN i.end_code = 'transfer' AND NOT EXISTS (
                  SELECT 1 FROM hub_instances x WHERE x.id = i.to_instance AND x.alive_until > now())
                THEN 'release' ELSE i.end_code END AS end_code,
           h.last_seq > s.acked_seq AS pending, h.wake_seq <> i.wake_seq AS woken,
           s.acked_seq >= s.sent_seq AS all_acked
    FROM i JOIN uid_heads h ON h.uid = i.uid JOIN uid_streams s ON s.uid = i.uid
    WHERE h.holder = p_instance AND h.lease = i.lease
  ), upd AS (
    UPDATE uid_heads h SET
      holder = CASE WHEN q.end_code = 'transfer' THEN q.to_instance END,
      lease = CASE WHEN q.end_code = 'transfer' THEN h.lease + 1 ELSE h.lease END,
      due_at = CASE q.end_code
                 WHEN 'backoff' THEN now() + make_interval(secs => q.delay_ms / 1000.0)
                 WHEN 'handback' THEN now()
                 WHEN 'release' THEN CASE WHEN q.woken THEN now() END
               END,
      parked = q.end_code = 'release' AND q.pending AND NOT q.woken,
      failures = q.failures,
      attempts = CASE WHEN q.all_acked THEN 0 ELSE h.attempts END
    FROM q WHERE h.uid = q.uid
    RETURNING h.uid, h.lease, h.last_seq,
      CASE q.end_code WHEN 'transfer' THEN 'transferred' WHEN 'backoff' THEN 'backoff' WHEN 'handback' THEN 'handed_back'
                      ELSE CASE WHEN q.woken THEN 'due' WHEN q.pending THEN 'parked' ELSE 'idle' END END AS state
  )
  SELECT u.uid, u.state, u.lease, u.last_seq FROM upd u
  UNION ALL
  SELECT i.uid::varchar, 'lost', h.lease, h.last_seq
  FROM unnest(p_uids) AS i(uid) LEFT JOIN uid_heads h ON h.uid = i.uid
  WHERE NOT EXISTS (SELECT 1 FROM upd u WHERE u.uid = i.uid);
END $$;

-- 12. What an instance holds, as a grant (for adopting a holding it was not told of: a transfer whose
-- notice was lost, a hand-over for a uid it has no session for): the given uids it holds, or, with
-- p_uids NULL, the periodic safety net: every uid it holds whose head is beyond what the instance knows
-- of it (p_known/p_known_last: its holdings and the head each knows), or beyond its recorded position
-- for a uid it has no holding for. Normally that is nothing, so the answer stays small however many
-- uids the instance holds. Uses uid_heads_holder_idx. Reads only.
CREATE FUNCTION push_hub_held(p_instance uuid, p_uids text[], p_known text[] DEFAULT NULL, p_known_last bigint[] DEFAULT NULL)
RETURNS TABLE (uid varchar, lease bigint, wake_seq bigint, attempts integer, failures integer, acked_seq bigint,
               acked_id bigint, sent_seq bigint, last_seq bigint, cleared bigint)
LANGUAGE sql STABLE AS $$
  SELECT h.uid, h.lease, h.wake_seq, h.attempts, h.failures, s.acked_seq, s.acked_id, s.sent_seq, h.last_seq,
         COALESCE(i.cleared, 0)
  FROM uid_heads h JOIN uid_streams s ON s.uid = h.uid LEFT JOIN uid_inbox i ON i.uid = h.uid
  LEFT JOIN unnest(p_known, p_known_last) AS k(uid, last_seq) ON k.uid = h.uid
  WHERE h.holder = p_instance
    AND (CASE WHEN p_uids IS NOT NULL THEN h.uid = ANY(p_uids)
              ELSE h.last_seq > COALESCE(k.last_seq, s.acked_seq) END)
$$;

-- 13. Shutdown: every uid p_instance holds is given up (due now when something is pending, so another
-- instance takes it at once; idle otherwise), and the instance is no longer alive. Returns how many.
CREATE FUNCTION push_hub_release_all(p_instance uuid)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  v_n integer;
BEGIN
  WITH l AS (
    SELECT h.uid FROM uid_heads h WHERE h.holder = p_instance ORDER BY h.uid FOR UPDATE
  ), upd AS (
    UPDATE uid_heads h SET holder = NULL, parked = false,
           due_at = CASE WHEN h.last_seq > s.acked_seq THEN now() END
    FROM l JOIN uid_streams s ON s.uid = l.uid
    WHERE h.uid = l.uid AND h.holder = p_instance
    RETURNING h.uid
  )
  SELECT count(*) INTO v_n FROM upd;
  UPDATE hub_instances SET alive_until = now() WHERE id = p_instance;
  RETURN v_n;
END $$;
