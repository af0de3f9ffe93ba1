import { ALLOWED, type BucketLimits, type RateLimiter } from "./rate-limiter.ts";
import { takeToken, type BucketState } from "./token-bucket.ts";

/** Per-key token buckets in this process (no Redis: a single instance). Full buckets are forgotten. */
export function createMemoryRateLimiter(defaults: BucketLimits, now: () => number = Date.now): RateLimiter {
  const buckets = new Map<string, BucketState & { refillMs: number }>();
  let lastSweep = now();
  return {
    async take(key, limits = defaults) {
      if (limits.perSecond <= 0) return ALLOWED;
      const t = now();
      if (t - lastSweep > 1000) {
        for (const [k, s] of buckets) if (t - s.at >= s.refillMs) buckets.delete(k);
        lastSweep = t;
      }
      const { state, decision } = takeToken(buckets.get(key), limits, t);
      buckets.set(key, { ...state, refillMs: (limits.burst * 1000) / limits.perSecond });
      return decision;
    },
  };
}
