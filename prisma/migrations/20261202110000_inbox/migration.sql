-- Inbox: read state, unread counts and cancellation (docs/design.md §7).
--
-- A uid's unread count is uid_heads.last_seq (messages it was ever given: stream seqs are 1, 2, 3 …)
-- minus uid_inbox.cleared (those no longer unread: read, cancelled, expired, or gone with their
-- partition): two primary-key reads, however long its history. Each message is counted into `cleared`
-- exactly once, by whichever of these comes first:
--   read / cancel   — counts it if it is unread, not cancelled, and its expiry was not swept yet
--   expiry sweep    — counts unread, uncancelled messages whose expiry falls in (swept_to, now]
--   partition drop  — counts unread, uncancelled, unswept messages of a partition about to be dropped
--                     and marks it cleared; from then on nothing counts any of its messages again
-- Each takes the uid's uid_inbox row lock before it looks at the messages, and the sweep and the
-- partition drop hold the inbox_expiry row, so "swept yet" and "cleared yet" are decided under the
-- same locks.

ALTER TABLE "messages" ADD COLUMN "cancelled_at" TIMESTAMPTZ(3);

-- The sweep's range scan; only messages with a TTL are indexed.
CREATE INDEX "messages_expires_idx" ON "messages"("expires_at") WHERE "expires_at" IS NOT NULL;

ALTER TABLE "message_partitions" ADD COLUMN "inbox_cleared_at" TIMESTAMPTZ(3);

CREATE TABLE "uid_inbox" (
    "uid" VARCHAR(128) NOT NULL,
    "cleared" BIGINT NOT NULL DEFAULT 0,
    "read_upto_id" BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT "uid_inbox_pkey" PRIMARY KEY ("uid")
);

CREATE TABLE "inbox_expiry" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "swept_to" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "inbox_expiry_pkey" PRIMARY KEY ("id")
);

INSERT INTO "inbox_expiry" ("id", "swept_to") VALUES (1, now());

-- Existing uids start from what their log holds now.
INSERT INTO "uid_inbox" ("uid", "cleared")
SELECT h.uid, h.last_seq - COALESCE(u.n, 0)
FROM uid_heads h
LEFT JOIN (
  SELECT to_uid, count(*) AS n FROM messages
  WHERE read_at IS NULL AND (expires_at IS NULL OR expires_at > now())
  GROUP BY to_uid
) u ON u.to_uid = h.uid;

-- The uid's unread count (0 for a uid that never had a message).
CREATE FUNCTION push_hub_unread(p_uid text) RETURNS bigint
LANGUAGE sql STABLE AS $$
  SELECT COALESCE((SELECT last_seq FROM uid_heads WHERE uid = p_uid), 0)
       - COALESCE((SELECT cleared FROM uid_inbox WHERE uid = p_uid), 0)
$$;

-- The lowest message id whose partition has not been counted out for dropping.
CREATE FUNCTION push_hub_inbox_live_from() RETURNS bigint
LANGUAGE sql STABLE AS $$
  SELECT COALESCE(min(epoch), 0)::bigint * push_hub_partition_span() FROM message_partitions WHERE inbox_cleared_at IS NULL
$$;

-- Locks the uid's inbox row (creating it) and returns the expiry sweep's position.
CREATE FUNCTION push_hub_lock_inbox(p_uid text) RETURNS timestamptz
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO uid_inbox (uid) VALUES (p_uid) ON CONFLICT DO NOTHING;
  PERFORM 1 FROM uid_inbox WHERE uid = p_uid FOR UPDATE;
  RETURN (SELECT swept_to FROM inbox_expiry WHERE id = 1);
END $$;

-- Marks the uid's own messages read: those in p_ids, or (p_upto not null) every one up to p_upto.
-- A message is readable unless cancelled, or expired before it was delivered (the v1 rule).
-- Returns the ids marked and the uid's unread count after.
-- Reads: uid_streams, inbox_expiry. Writes: messages.read_at, uid_inbox. Locks: the uid's uid_inbox row.
CREATE FUNCTION push_hub_mark_read(p_uid text, p_ids bigint[], p_upto bigint)
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
  RETURN QUERY SELECT v_ids, push_hub_unread(p_uid);
END $$;

-- Cancels one message: it is never delivered if still queued (its expiry moves to now, which the
-- delivery windows skip) and sync no longer shows it. Idempotent. No row: no such message.
-- Writes: messages (cancelled_at, expires_at), uid_inbox. Locks: the uid's uid_inbox row.
CREATE FUNCTION push_hub_cancel(p_id bigint)
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
  END IF;
  RETURN QUERY SELECT v_uid, v_msg.cancelled_at IS NULL, push_hub_unread(v_uid);
END $$;

-- Counts out of unread the messages whose expiry passed since the last sweep. One sweep at a time
-- (the inbox_expiry row). Returns the uids whose count changed, with their count after.
-- Reads: messages (messages_expires_idx). Writes: uid_inbox, inbox_expiry. Locks: inbox_expiry, those uids' uid_inbox rows.
CREATE FUNCTION push_hub_sweep_expired()
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

-- Before a partition of the log is detached and dropped: counts its still-unread messages out of unread,
-- once (message_partitions.inbox_cleared_at); reads, cancels and sweeps leave its messages alone from
-- then on. Returns the uids whose count changed.
-- Reads: messages_p<epoch>. Writes: uid_inbox, message_partitions. Locks: inbox_expiry, those uids' uid_inbox rows.
CREATE FUNCTION push_hub_clear_partition(p_epoch integer)
RETURNS TABLE (uid text, unread bigint)
LANGUAGE plpgsql AS $$
DECLARE
  v_swept timestamptz;
  v_table text := 'messages_p' || p_epoch;
BEGIN
  SELECT swept_to INTO v_swept FROM inbox_expiry WHERE id = 1 FOR UPDATE;
  UPDATE message_partitions SET inbox_cleared_at = now() WHERE epoch = p_epoch AND inbox_cleared_at IS NULL;
  IF NOT FOUND OR to_regclass(v_table) IS NULL THEN RETURN; END IF;
  CREATE TEMP TABLE IF NOT EXISTS push_hub_gone (uid text PRIMARY KEY, n bigint) ON COMMIT DELETE ROWS;
  EXECUTE format(
    'INSERT INTO push_hub_gone SELECT to_uid, count(*) FROM %I WHERE read_at IS NULL AND cancelled_at IS NULL
       AND (expires_at IS NULL OR expires_at > $1) GROUP BY to_uid', v_table) USING v_swept;
  INSERT INTO uid_inbox (uid) SELECT g.uid FROM push_hub_gone g ON CONFLICT DO NOTHING;
  PERFORM 1 FROM uid_inbox i JOIN push_hub_gone g ON g.uid = i.uid ORDER BY i.uid FOR UPDATE OF i;
  RETURN QUERY
  WITH counted AS (
    UPDATE uid_inbox i SET cleared = i.cleared + g.n FROM push_hub_gone g WHERE i.uid = g.uid RETURNING i.uid, i.cleared
  )
  SELECT c.uid::text, COALESCE(h.last_seq, 0) - c.cleared FROM counted c LEFT JOIN uid_heads h ON h.uid = c.uid;
END $$;
