import type { Redis } from "ioredis";
import { GroupedMap } from "../../lib/grouped-map.ts";
import { createThrottledWarning } from "../../lib/throttled-warning.ts";
import { tryRedis } from "../../redis/try-redis.ts";
import type { PresenceChange, PresenceTracker, PresenceTrackerDeps } from "./presence-tracker.ts";

// KEYS = presence (announced uid → check-after time), left (uid → when its last socket left),
// the uid's sockets (the connection limiter's set: `${instance}|${socketId}` → lease end).

// ARGV = uid, lease end. 1 when the uid was not announced yet; a debouncing uid is connected again.
const JOIN_LUA = `
local added = redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
return added`;

// ARGV = uid, the socket's member, now, debounceMs. The member is removed here too because release's
// ZREM may travel on another connection and arrive after this.
const LEAVE_LUA = `
redis.call('ZREM', KEYS[3], ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', ARGV[3])
if redis.call('ZCARD', KEYS[3]) > 0 or not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], tonumber(ARGV[3]) + tonumber(ARGV[4]), ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
return 1`;

// ARGV = uid, now, debounceMs, claim. A due uid with a live socket is connected (checked again at that
// lease end); one whose sockets all expired unreleased (a crashed instance) left at its lease end and
// is debounced from there. A uid due for offline is claimed (score = claim) and its left time returned.
const SWEEP_LUA = `
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score or tonumber(score) > tonumber(ARGV[2]) then return false end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', ARGV[2])
local newest = redis.call('ZRANGE', KEYS[3], -1, -1, 'WITHSCORES')
if newest[2] then
  redis.call('ZADD', KEYS[1], newest[2], ARGV[1])
  redis.call('HDEL', KEYS[2], ARGV[1])
  return false
end
local left = redis.call('HGET', KEYS[2], ARGV[1])
if not left then
  left = score
  redis.call('HSET', KEYS[2], ARGV[1], left)
  local due = tonumber(left) + tonumber(ARGV[3])
  if due > tonumber(ARGV[2]) then
    redis.call('ZADD', KEYS[1], due, ARGV[1])
    return false
  end
end
redis.call('ZADD', KEYS[1], ARGV[4], ARGV[1])
return left`;

// ARGV = uid, claim, retry time ('' once recorded). 1 = settled, 2 = it reconnected meanwhile (its score
// is no longer the claim), 0 = nothing to do (gone, or claimed again by another instance).
const SETTLE_LUA = `
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score then return 0 end
if tonumber(score) ~= tonumber(ARGV[2]) then
  if tonumber(score) % 1 ~= 0 then return 0 end
  return 2
end
if ARGV[3] ~= '' then
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
else
  redis.call('ZREM', KEYS[1], ARGV[1])
  redis.call('HDEL', KEYS[2], ARGV[1])
end
return 1`;

/** How long a sweeper may take to record a claimed offline before another instance reports it again. */
const CLAIM_MS = 30_000;
/** Per sweep; the rest waits for the next one. */
const SWEEP_BATCH = 500;

type Scripts = {
  pushHubPresenceJoin(presence: string, left: string, uid: string, leaseEnd: number): Promise<number>;
  pushHubPresenceLeave(presence: string, left: string, sockets: string, uid: string, member: string, now: number, debounceMs: number): Promise<number>;
  pushHubPresenceSweep(presence: string, left: string, sockets: string, uid: string, now: number, debounceMs: number, claim: string): Promise<string | null>;
  pushHubPresenceSettle(presence: string, left: string, uid: string, claim: string, retryAt: number | ""): Promise<number>;
};

function defineScripts(redis: Redis): Scripts {
  const define = (name: keyof Scripts, numberOfKeys: number, lua: string) => {
    if (!(name in redis)) redis.defineCommand(name, { numberOfKeys, lua });
  };
  define("pushHubPresenceJoin", 2, JOIN_LUA);
  define("pushHubPresenceLeave", 3, LEAVE_LUA);
  define("pushHubPresenceSweep", 3, SWEEP_LUA);
  define("pushHubPresenceSettle", 2, SETTLE_LUA);
  return redis as unknown as Scripts;
}

interface RedisPresenceTrackerDeps extends PresenceTrackerDeps {
  redis: Redis;
  prefix: string;
  /** This hub instance, as the connection limiter names it in the socket sets. */
  instance: string;
  /** An announced uid is checked again this long after its instance last renewed it (the limiter's lease). */
  leaseMs?: number;
  sweepMs?: number;
  timeoutMs?: number;
}

/**
 * Cluster-wide presence: `${prefix}:presence` holds the uids announced online, scored by when to check
 * them again (lease end while connected, renewed by the instances holding their sockets; disconnect time +
 * debounce once the last socket left). Every instance sweeps the due ones; a uid with no socket left in
 * the connection limiter's set is reported offline, and removed only after `record` resolved.
 */
export function createRedisPresenceTracker(deps: RedisPresenceTrackerDeps): PresenceTracker {
  const { redis, debounceMs } = deps;
  const clock = deps.now ?? Date.now;
  // Whole milliseconds: a claim is told apart from every other score by its half millisecond.
  const now = () => Math.floor(clock());
  const leaseMs = deps.leaseMs ?? 60_000;
  const timeoutMs = deps.timeoutMs ?? 1000;
  const scripts = defineScripts(redis);
  const presenceKey = `${deps.prefix}:presence`;
  const leftKey = `${deps.prefix}:presence:left`;
  const socketsKey = (uid: string) => `${deps.prefix}:sockets:${uid}`;
  /** uid → ids of its sockets here that were announced (joined while wanted). */
  const local = new GroupedMap<true>();
  const pending = new Set<Promise<void>>();
  const throttledRedis = createThrottledWarning(deps.logger);
  const warnRedis = (reason: string) => throttledRedis({ reason }, "presence tracker cannot reach Redis; skipping");
  const warnRecord = createThrottledWarning(deps.logger);
  let closed = false;
  let sweeping: Promise<void> | undefined;

  const track = (work: Promise<void>) => {
    const p: Promise<void> = work
      .catch((err: unknown) => deps.logger.error({ err }, "presence tracker failed"))
      .finally(() => pending.delete(p));
    pending.add(p);
  };

  async function announceOnline(online: PresenceChange[]) {
    try {
      await deps.record(online);
    } catch (err) {
      warnRecord({ err: (err as Error).message }, "could not record user.online; it is announced on the next connect");
      // Best effort: unannounced, the next accepted socket announces it again (and no offline follows).
      const uids = online.map((c) => c.uid);
      const undo = await tryRedis(redis, timeoutMs, () => redis.multi().zrem(presenceKey, ...uids).hdel(leftKey, ...uids).exec());
      if (!undo.ok) warnRedis(undo.reason);
    }
  }

  async function join(uid: string, socketId: string) {
    if (!deps.wanted()) return;
    local.set(uid, socketId, true);
    const at = now();
    const attempt = await tryRedis(redis, timeoutMs, () => scripts.pushHubPresenceJoin(presenceKey, leftKey, uid, at + leaseMs));
    if (!attempt.ok) return warnRedis(attempt.reason);
    if (attempt.reply === 1) await announceOnline([{ type: "user.online", uid, at: new Date(at) }]);
  }

  async function leave(uid: string, socketId: string) {
    if (!local.delete(uid, socketId) || local.has(uid)) return;
    // No Redis work while unwanted: its announcement, no longer renewed, is swept like a crashed one.
    if (!deps.wanted()) return;
    const member = `${deps.instance}|${socketId}`;
    const attempt = await tryRedis(redis, timeoutMs, () =>
      scripts.pushHubPresenceLeave(presenceKey, leftKey, socketsKey(uid), uid, member, now(), debounceMs),
    );
    if (!attempt.ok) warnRedis(attempt.reason);
  }

  async function sweep() {
    const t = now();
    const due = await tryRedis(redis, timeoutMs, () => redis.zrangebyscore(presenceKey, "-inf", t, "LIMIT", 0, SWEEP_BATCH));
    if (!due.ok) return warnRedis(due.reason);
    if (due.reply.length === 0) return;
    const claim = String(t + CLAIM_MS + 0.5);
    const uids = due.reply;
    const claimed = await tryRedis(redis, timeoutMs, () =>
      Promise.all(uids.map((uid) => scripts.pushHubPresenceSweep(presenceKey, leftKey, socketsKey(uid), uid, t, debounceMs, claim))),
    );
    if (!claimed.ok) return warnRedis(claimed.reason); // claims taken anyway are reported again after CLAIM_MS
    const offline: PresenceChange[] = [];
    claimed.reply.forEach((left, i) => {
      if (left !== null) offline.push({ type: "user.offline", uid: uids[i] as string, at: new Date(Number(left)) });
    });
    if (offline.length === 0) return;
    const settle = (retryAt: number | "") =>
      tryRedis(redis, timeoutMs, () => Promise.all(offline.map((c) => scripts.pushHubPresenceSettle(presenceKey, leftKey, c.uid, claim, retryAt))));
    try {
      await deps.record(offline);
    } catch (err) {
      warnRecord({ err: (err as Error).message }, "could not record user.offline; retrying");
      const released = await settle(now());
      if (!released.ok) warnRedis(released.reason);
      return;
    }
    const settled = await settle("");
    if (!settled.ok) return warnRedis(settled.reason);
    const back = offline.filter((_, i) => settled.reply[i] === 2);
    // Reconnected while its offline was being recorded: the receiver must hear it is back.
    if (back.length > 0) await announceOnline(back.map((c) => ({ type: "user.online", uid: c.uid, at: new Date(now()) })));
  }

  const renew = setInterval(
    () => {
      if (!local.any() || redis.status !== "ready") return;
      const until = now() + leaseMs;
      const uids = [...local.keys()];
      const pipeline = redis.pipeline();
      for (let i = 0; i < uids.length; i += 1000) pipeline.zadd(presenceKey, "XX", ...uids.slice(i, i + 1000).flatMap((uid) => [until, uid]));
      pipeline.exec().catch((err: Error) => warnRedis(err.message));
    },
    Math.max(100, Math.floor(leaseMs / 3)),
  );
  renew.unref();
  const sweeper = setInterval(() => {
    if (sweeping || closed) return;
    sweeping = sweep()
      .catch((err: unknown) => deps.logger.error({ err }, "presence sweep failed"))
      .finally(() => (sweeping = undefined));
  }, deps.sweepMs ?? 1000);
  sweeper.unref();

  return {
    joined(uid, socketId) {
      if (!closed) track(join(uid, socketId));
    },
    left(uid, socketId) {
      if (!closed) track(leave(uid, socketId));
    },
    async close() {
      closed = true;
      clearInterval(renew);
      clearInterval(sweeper);
      await sweeping;
      await Promise.all(pending);
      local.clear();
    },
  };
}
