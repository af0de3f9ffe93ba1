-- A connect storm of users with nothing queued need not queue on the claim lock: look first (index
-- messages_uid_inflight_idx), lock only when there is something to wake. A message parked by a claim that
-- commits in between is re-woken by the hub's periodic check of connected uids (server/delivery/
-- create-parked-rewaker.ts) within seconds.
CREATE OR REPLACE FUNCTION push_hub_wake_uid(p_uid text)
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
