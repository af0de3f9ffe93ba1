import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { createMemoryRateLimiter } from "./create-memory-rate-limiter.ts";
import { createRedisRateLimiter } from "./create-redis-rate-limiter.ts";
import type { BucketLimits, RateLimiter } from "./rate-limiter.ts";

/**
 * Shared buckets in Redis when the hub has it, buckets in this process otherwise. Limits of perSecond 0
 * (the default's, or a key's) allow everything without a bucket.
 */
export function createRateLimiter(deps: { limits: BucketLimits; redis?: Redis; prefix: string; logger: Logger }): RateLimiter {
  if (deps.redis) return createRedisRateLimiter({ redis: deps.redis, prefix: deps.prefix, limits: deps.limits, logger: deps.logger });
  return createMemoryRateLimiter(deps.limits);
}
