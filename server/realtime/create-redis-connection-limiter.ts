import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { createThrottledWarning } from "../lib/throttled-warning.ts";
import { tryRedis } from "../redis/try-redis.ts";
import type { ConnectionLimiter } from "./connection-limiter.ts";

// KEYS[1] = the uid's sorted set (member = socket id, score = lease end); ARGV = socket, max, now, leaseMs.
const ACQUIRE_LUA = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  return 0
end
redis.call('ZADD', KEYS[1], tonumber(ARGV[3]) + tonumber(ARGV[4]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1`;

const COMMAND = "pushHubAcquireSocket";
type WithCommand = Redis & { [COMMAND](key: string, socketId: string, max: number, now: number, leaseMs: number): Promise<number> };

interface RedisConnectionLimiterDeps {
  redis: Redis;
  prefix: string;
  max: number;
  logger: Logger;
  /** A slot lives this long unless its instance renews it, so a crashed instance's slots free themselves. */
  leaseMs?: number;
  timeoutMs?: number;
}

/**
 * Counts a uid's sockets across every instance: one sorted set per uid in Redis, checked and added to
 * atomically. Each instance renews its own sockets' leases every leaseMs/3. If Redis is down or slow,
 * connections are allowed (fail open) and a warning is logged.
 */
export function createRedisConnectionLimiter(deps: RedisConnectionLimiterDeps): ConnectionLimiter {
  const { redis, max, logger } = deps;
  const leaseMs = deps.leaseMs ?? 60_000;
  const timeoutMs = deps.timeoutMs ?? 1000;
  redis.defineCommand(COMMAND, { numberOfKeys: 1, lua: ACQUIRE_LUA });
  const client = redis as WithCommand;
  const keyOf = (uid: string) => `${deps.prefix}:sockets:${uid}`;
  const local = new Map<string, string>(); // socket id → uid
  const throttledWarn = createThrottledWarning(logger);
  const warn = (reason: string) => throttledWarn({ reason }, "connection limiter cannot reach Redis; allowing connections");

  const renew = setInterval(() => {
    if (redis.status !== "ready" || local.size === 0) return;
    const until = Date.now() + leaseMs;
    const pipeline = redis.pipeline();
    for (const [socketId, uid] of local) {
      pipeline.zadd(keyOf(uid), "XX", until, socketId);
      pipeline.pexpire(keyOf(uid), leaseMs);
    }
    pipeline.exec().catch((err: Error) => warn(err.message));
  }, Math.max(1000, Math.floor(leaseMs / 3)));
  renew.unref();

  return {
    async acquire(uid, socketId) {
      const attempt = await tryRedis(redis, timeoutMs, () => client[COMMAND](keyOf(uid), socketId, max, Date.now(), leaseMs));
      if (!attempt.ok) warn(attempt.reason);
      else if (attempt.reply === 0) return false;
      local.set(socketId, uid);
      return true;
    },
    release(uid, socketId) {
      if (!local.delete(socketId)) return;
      if (redis.status === "ready") redis.zrem(keyOf(uid), socketId).catch((err: Error) => warn(err.message));
    },
    close() {
      clearInterval(renew);
      local.clear();
    },
  };
}
