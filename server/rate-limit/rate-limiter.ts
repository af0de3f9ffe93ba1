/** One decision of a per-key limiter. */
export interface RateDecision {
  allowed: boolean;
  /** When refused: how long until one request would be allowed. */
  retryAfterMs: number;
}

export interface RateLimiter {
  /**
   * Spends one token of `key`'s bucket, with `limits` in place of the limiter's own (a key with a rate of
   * its own). Never rejects: a limiter that cannot decide allows (fail open).
   */
  take(key: string, limits?: BucketLimits): Promise<RateDecision>;
}

export interface BucketLimits {
  /** Tokens added per second; 0 disables limiting. */
  perSecond: number;
  /** Bucket size: how many requests may arrive at once after a quiet spell. */
  burst: number;
}

export const ALLOWED: RateDecision = { allowed: true, retryAfterMs: 0 };
