-- Functions for the drainer's hot path. Each runs as one statement (one round trip) and takes the claim
-- lock (transaction-level advisory lock 7246337001) before changing the queue, so a claim never sees
-- half of another claim, ack or wake-up, and the lock is held only while SQL runs, never across a
-- client round trip. In READ COMMITTED every statement in a function gets a fresh snapshot: the
-- statements after PERFORM pg_advisory_xact_lock see everything committed before the lock was granted.

-- Leases up to p_limit due messages in due order (next_attempt_at, id: messages_due_idx yields them
-- without sorting, so a claim costs O(batch) even with a large backlog due). A candidate is held back
-- by ANY earlier queued message of its uid that is not itself a candidate of this claim — in flight,
-- backing off, parked, or due but outside the window — and deferred to the latest of those messages'
-- times; when that time is already due, ties break by id and the earlier message comes first. So each
-- uid's stream arrives in acceptance order (see server/store/claim-due.ts).
CREATE FUNCTION push_hub_claim_due(p_limit integer, p_lease_ms integer)
RETURNS TABLE (id bigint, to_uid varchar, msg_type integer, client_type integer, msg jsonb,
               created_at timestamptz, attempts integer, lease_until timestamptz)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
  PERFORM pg_advisory_xact_lock(7246337001);
  RETURN QUERY
  WITH candidate AS MATERIALIZED (
    SELECT c.noce_ack, c.to_uid FROM messages c
    WHERE c.status = 'queued' AND c.next_attempt_at <= now() AND COALESCE(c.expires_at, 'infinity') > now()
    ORDER BY c.next_attempt_at, c.noce_ack
    LIMIT p_limit * 2
  ), pending AS MATERIALIZED (
    SELECT p.to_uid, min(p.noce_ack) AS first, max(p.next_attempt_at) AS until FROM messages p
    WHERE p.to_uid IN (SELECT candidate.to_uid FROM candidate) AND p.status = 'queued'
      AND COALESCE(p.expires_at, 'infinity') > now()
      AND p.noce_ack NOT IN (SELECT candidate.noce_ack FROM candidate)
    GROUP BY p.to_uid
  ), verdict AS MATERIALIZED (
    SELECT c.noce_ack, p.until, COALESCE(p.first < c.noce_ack, false) AS blocked
    FROM candidate c LEFT JOIN pending p ON p.to_uid = c.to_uid
  ), deferred AS (
    UPDATE messages m SET next_attempt_at = v.until, update_time = now()
    FROM verdict v WHERE v.blocked AND m.noce_ack = v.noce_ack AND m.status = 'queued'
    RETURNING m.noce_ack
  ), ready AS (
    SELECT v.noce_ack FROM verdict v WHERE NOT v.blocked ORDER BY v.noce_ack LIMIT p_limit
  )
  UPDATE messages m
  SET next_attempt_at = now() + make_interval(secs => p_lease_ms / 1000.0), attempts = m.attempts + 1,
      update_time = now()
  FROM ready WHERE m.noce_ack = ready.noce_ack AND m.status = 'queued' AND m.next_attempt_at <= now()
  RETURNING m.noce_ack, m.to_uid, m.msg_type, m.client_type, m.msg_extend, m.create_time, m.attempts,
            m.next_attempt_at;
END $$;

-- Acks: queued → delivered; messages of the same uids deferred behind them (never attempted) are due now.
CREATE FUNCTION push_hub_mark_delivered(p_ids bigint[], p_uids text[])
RETURNS TABLE (delivered integer, woke integer)
LANGUAGE plpgsql AS $$
DECLARE
  n_delivered integer;
  n_woke integer;
BEGIN
  PERFORM pg_advisory_xact_lock(7246337001);
  UPDATE messages SET status = 'delivered', delivered_at = now(), update_time = now()
  WHERE noce_ack = ANY(p_ids) AND status = 'queued';
  GET DIAGNOSTICS n_delivered = ROW_COUNT;
  UPDATE messages SET next_attempt_at = now(), update_time = now()
  WHERE to_uid = ANY(p_uids) AND status = 'queued' AND attempts = 0
    AND next_attempt_at > now() AND next_attempt_at < 'infinity';
  GET DIAGNOSTICS n_woke = ROW_COUNT;
  RETURN QUERY SELECT n_delivered, n_woke;
END $$;

-- A socket of the uid joined its room: everything still queued for it is due now. A connect storm of
-- users with nothing queued need not queue on the claim lock: look first (messages_uid_inflight_idx),
-- lock only when there is something to wake. A message parked by a claim that commits in between is
-- re-woken by the hub's periodic check of connected uids (server/delivery/create-parked-rewaker.ts).
CREATE FUNCTION push_hub_wake_uid(p_uid text)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  n integer;
BEGIN
  IF NOT EXISTS (
    SELECT 1 FROM messages
    WHERE to_uid = p_uid AND status = 'queued' AND next_attempt_at > now()
      AND COALESCE(expires_at, 'infinity') > now()
  ) THEN
    RETURN 0;
  END IF;
  PERFORM pg_advisory_xact_lock(7246337001);
  UPDATE messages SET next_attempt_at = now(), update_time = now()
  WHERE to_uid = p_uid AND status = 'queued' AND next_attempt_at > now()
    AND COALESCE(expires_at, 'infinity') > now();
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $$;
