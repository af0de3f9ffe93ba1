-- A candidate is held back by ANY earlier queued message of its uid that is not itself a candidate of
-- this claim — in flight, backing off, parked, or due but outside this claim's window — not only by the
-- ones whose next attempt is in the future. With candidates in due order, a message deferred behind a
-- head whose retry was later pushed further out could otherwise be due first and overtake it. It is
-- deferred to the latest of those messages' times; when that time is already due, ties break by id
-- and the head comes first.
CREATE OR REPLACE FUNCTION push_hub_claim_due(p_limit integer, p_lease_ms integer)
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
