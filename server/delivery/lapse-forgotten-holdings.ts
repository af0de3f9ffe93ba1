import { notHeldUids } from "../store/not-held-uids.ts";
import type { Db } from "../store/prisma.ts";
import type { StreamSession } from "./stream-session.ts";

/**
 * Holdings the store no longer gives this instance lapse. That happens when the instance's heartbeat
 * lapsed during a database outage: the reaper made its uids due and they were parked or taken elsewhere,
 * while the holding here, told of nothing, would wait forever (and could send beside a new holder). Only
 * active holdings that heard nothing for `quietMs` are asked about (one statement, which normally
 * answers nothing). Returns how many lapsed;
 * `onLapsed` lets the engine ask for the uid again when it has sockets here.
 */
export async function lapseForgottenHoldings(o: {
  db: Db;
  instance: string;
  sessions: Map<string, StreamSession>;
  quietMs: number;
  onLapsed: (uid: string) => void;
}): Promise<number> {
  const now = Date.now();
  const quiet = [...o.sessions.values()].filter((s) => s.current === "active" && now - s.heardAt > o.quietMs);
  if (quiet.length === 0) return 0;
  const gone = new Set(await notHeldUids(o.db, o.instance, quiet.map((s) => s.uid)));
  let lapsed = 0;
  for (const s of quiet) {
    if (!gone.has(s.uid) || o.sessions.get(s.uid) !== s) continue;
    s.abandon();
    lapsed++;
    o.onLapsed(s.uid);
  }
  return lapsed;
}
