import type { BucketLimits, RateDecision } from "./rate-limiter.ts";

export interface BucketState {
  tokens: number;
  at: number;
}

/**
 * One token-bucket step at time `now` (ms). The Redis script in create-redis-rate-limiter.ts is the same
 * arithmetic, so a hub with and without Redis limits alike.
 */
export function takeToken(state: BucketState | undefined, limits: BucketLimits, now: number): { state: BucketState; decision: RateDecision } {
  let tokens = state?.tokens ?? limits.burst;
  const at = state ? Math.max(state.at, now) : now;
  if (state && now > state.at) tokens = Math.min(limits.burst, tokens + ((now - state.at) * limits.perSecond) / 1000);
  if (tokens >= 1) return { state: { tokens: tokens - 1, at }, decision: { allowed: true, retryAfterMs: 0 } };
  return { state: { tokens, at }, decision: { allowed: false, retryAfterMs: Math.ceil(((1 - tokens) * 1000) / limits.perSecond) } };
}
