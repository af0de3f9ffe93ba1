import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { createThrottledWarning } from "../lib/throttled-warning.ts";
import { tryRedis } from "../redis/try-redis.ts";
import { ALLOWED, type BucketLimits, type RateDecision, type RateLimiter } from "./rate-limiter.ts";

// Same arithmetic as token-bucket.ts, atomic in Redis, on Redis's clock so every instance agrees.
const TAKE_TOKEN_LUA = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local s = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(s[1])
local at = tonumber(s[2])
if tokens == nil or at == nil then
  tokens = burst
  at = now
elseif now > at then
  tokens = math.min(burst, tokens + (now - at) * rate / 1000)
  at = now
end
local allowed = 0
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  wait = math.ceil((1 - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(at))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
return {allowed, wait}`;

const COMMAND = "pushHubTakeToken";
type WithCommand = Redis & { [COMMAND](key: string, rate: number, burst: number): Promise<[number, number]> };

interface RedisRateLimiterDeps {
  redis: Redis;
  prefix: string;
  limits: BucketLimits;
  logger: Logger;
  /** A Redis that does not answer within this long is treated as down (fail open). */
  timeoutMs?: number;
}

/**
 * Token buckets shared by every instance. If Redis is unreachable, slow or errors, requests are
 * allowed and a warning is logged (at most every 10 s): an outage of the limiter must not become an
 * outage of the API.
 */
export function createRedisRateLimiter(deps: RedisRateLimiterDeps): RateLimiter {
  const { redis, limits, logger } = deps;
  const timeoutMs = deps.timeoutMs ?? 250;
  redis.defineCommand(COMMAND, { numberOfKeys: 1, lua: TAKE_TOKEN_LUA });
  const client = redis as WithCommand;
  const warn = createThrottledWarning(logger);
  const failOpen = (reason: string): RateDecision => {
    warn({ reason }, "rate limiter cannot reach Redis; allowing requests unlimited");
    return ALLOWED;
  };

  return {
    async take(key, own = limits) {
      if (own.perSecond <= 0) return ALLOWED;
      const attempt = await tryRedis(redis, timeoutMs, () => client[COMMAND](`${deps.prefix}:rl:${key}`, own.perSecond, own.burst));
      if (!attempt.ok) return failOpen(attempt.reason);
      return { allowed: Number(attempt.reply[0]) === 1, retryAfterMs: Number(attempt.reply[1]) };
    },
  };
}
