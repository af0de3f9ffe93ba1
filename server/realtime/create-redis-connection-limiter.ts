import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { createThrottledWarning } from "../lib/throttled-warning.ts";
import { defineLeasedSlots } from "../redis/leased-slots.ts";
import { tryRedis } from "../redis/try-redis.ts";
import type { ConnectionLimiter } from "./connection-limiter.ts";

interface RedisConnectionLimiterDeps {
  redis: Redis;
  prefix: string;
  /** This hub instance: the registry says which instances hold a uid's sockets. */
  instance: string;
  max: number;
  logger: Logger;
  /** A slot lives this long unless its instance renews it, so a crashed instance's slots free themselves. */
  leaseMs?: number;
  timeoutMs?: number;
}

/**
 * Counts a uid's sockets across every instance: one sorted set per uid in Redis, checked and added to
 * atomically; each member names the instance holding the socket, so the set is also where a uid's
 * sockets are (`instancesOf`). Each instance renews its own sockets' leases every leaseMs/3. If Redis is
 * down or slow, connections are allowed (fail open) and a warning is logged.
 */
export function createRedisConnectionLimiter(deps: RedisConnectionLimiterDeps): ConnectionLimiter {
  const { redis, max, logger } = deps;
  const leaseMs = deps.leaseMs ?? 60_000;
  const timeoutMs = deps.timeoutMs ?? 1000;
  const acquireSlot = defineLeasedSlots(redis);
  const keyOf = (uid: string) => `${deps.prefix}:sockets:${uid}`;
  const memberOf = (socketId: string) => `${deps.instance}|${socketId}`;
  const local = new Map<string, string>(); // socket id → uid
  const throttledWarn = createThrottledWarning(logger);
  const warn = (reason: string) => throttledWarn({ reason }, "connection limiter cannot reach Redis; allowing connections");

  const renew = setInterval(() => {
    if (redis.status !== "ready" || local.size === 0) return;
    const until = Date.now() + leaseMs;
    const pipeline = redis.pipeline();
    for (const [socketId, uid] of local) {
      pipeline.zadd(keyOf(uid), "XX", until, memberOf(socketId));
      pipeline.pexpire(keyOf(uid), leaseMs);
    }
    pipeline.exec().catch((err: Error) => warn(err.message));
  }, Math.max(1000, Math.floor(leaseMs / 3)));
  renew.unref();

  return {
    async acquire(uid, socketId) {
      const attempt = await tryRedis(redis, timeoutMs, () => acquireSlot(keyOf(uid), memberOf(socketId), max, leaseMs));
      if (!attempt.ok) warn(attempt.reason);
      else if (attempt.reply === 0) return false;
      local.set(socketId, uid);
      return true;
    },
    release(uid, socketId) {
      if (!local.delete(socketId)) return;
      if (redis.status === "ready") redis.zrem(keyOf(uid), memberOf(socketId)).catch((err: Error) => warn(err.message));
    },
    async instancesOf(uid) {
      const attempt = await tryRedis(redis, timeoutMs, () => redis.zrangebyscore(keyOf(uid), Date.now(), "+inf"));
      if (!attempt.ok) {
        warn(attempt.reason);
        return [];
      }
      const others = new Set<string>();
      for (const member of attempt.reply) {
        const instance = member.slice(0, member.indexOf("|"));
        if (instance && instance !== deps.instance) others.add(instance);
      }
      return [...others];
    },
    close() {
      clearInterval(renew);
      local.clear();
    },
  };
}
