import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { createThrottledWarning } from "../lib/throttled-warning.ts";
import { defineLeasedSlots } from "../redis/leased-slots.ts";
import { tryRedis } from "../redis/try-redis.ts";
import { createLocalInboxSlots, type InboxSlots } from "./inbox-slots.ts";

interface RedisInboxSlotsDeps {
  redis: Redis;
  prefix: string;
  max: number;
  logger: Logger;
  /**
   * A slot lives this long unless released, so a crashed instance's slots (or one whose reply came after
   * the timeout) free themselves. A request holds its slot for at most a pool wait (3 s) and a statement
   * (15 s, the pools' query timeout).
   */
  leaseMs?: number;
  timeoutMs?: number;
}

/**
 * A uid's inbox requests running on any instance: one sorted set per uid in Redis, checked and added to
 * atomically. If Redis is down or slow, requests are allowed (fail open, as the rate and connection
 * limiters do) up to the cap counted on this instance alone, and a warning is logged at most every 10 s.
 */
export function createRedisInboxSlots(deps: RedisInboxSlotsDeps): InboxSlots {
  const { redis, max } = deps;
  const leaseMs = deps.leaseMs ?? 30_000;
  const timeoutMs = deps.timeoutMs ?? 250;
  const acquireSlot = defineLeasedSlots(redis);
  const keyOf = (uid: string) => `${deps.prefix}:inbox:${uid}`;
  const throttledWarn = createThrottledWarning(deps.logger);
  const warn = (reason: string) => throttledWarn({ reason }, "inbox limiter cannot reach Redis; allowing inbox requests");
  /** Slots this instance holds: request id → uid. */
  const held = new Map<string, string>();
  /** Of them, per uid: when this instance alone holds `max`, the answer needs no Redis round trip. */
  const local = createLocalInboxSlots(max);

  return {
    async acquire(uid, requestId) {
      if (!(await local.acquire(uid, requestId))) return false;
      const attempt = await tryRedis(redis, timeoutMs, () => acquireSlot(keyOf(uid), requestId, max, leaseMs));
      if (attempt.ok && attempt.reply === 0) {
        local.release(uid, requestId);
        return false;
      }
      if (!attempt.ok) warn(attempt.reason);
      held.set(requestId, uid);
      return true;
    },
    release(uid, requestId) {
      if (held.get(requestId) !== uid) return;
      held.delete(requestId);
      local.release(uid, requestId);
      if (redis.status === "ready") redis.zrem(keyOf(uid), requestId).catch((err: Error) => warn(err.message));
    },
  };
}
