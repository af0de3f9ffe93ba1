import type { BucketLimits, RateLimiter } from "./rate-limiter.ts";
import { takeToken, type BucketState } from "./token-bucket.ts";

/** Per-key token buckets in this process (no Redis: a single instance). Full buckets are forgotten. */
export function createMemoryRateLimiter(limits: BucketLimits, now: () => number = Date.now): RateLimiter {
  const buckets = new Map<string, BucketState>();
  const refillMs = (limits.burst * 1000) / limits.perSecond;
  let lastSweep = now();
  return {
    async take(key) {
      const t = now();
      if (t - lastSweep > Math.max(refillMs, 1000)) {
        for (const [k, s] of buckets) if (t - s.at >= refillMs) buckets.delete(k);
        lastSweep = t;
      }
      const { state, decision } = takeToken(buckets.get(key), limits, t);
      buckets.set(key, state);
      return decision;
    },
  };
}
