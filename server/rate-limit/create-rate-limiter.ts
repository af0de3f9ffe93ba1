import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { createMemoryRateLimiter } from "./create-memory-rate-limiter.ts";
import { createRedisRateLimiter } from "./create-redis-rate-limiter.ts";
import { unlimited, type BucketLimits, type RateLimiter } from "./rate-limiter.ts";

/** Shared buckets in Redis when the hub has it, buckets in this process otherwise; none at perSecond 0. */
export function createRateLimiter(deps: { limits: BucketLimits; redis?: Redis; prefix: string; logger: Logger }): RateLimiter {
  if (deps.limits.perSecond <= 0) return unlimited;
  if (deps.redis) return createRedisRateLimiter({ redis: deps.redis, prefix: deps.prefix, limits: deps.limits, logger: deps.logger });
  return createMemoryRateLimiter(deps.limits);
}
