/**
 * Delay before retrying an attempt that got no ack: base·2^(attempt−1), capped, with ±20% jitter so
 * a crowd of timed-out messages does not come back in one wave.
 */
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  return Math.round(exponential * (0.8 + 0.4 * random()));
}
