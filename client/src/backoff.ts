export interface BackoffOptions {
  /** Delay ceiling of the first retry. Default 1000 ms. */
  initialMs?: number;
  /** Largest delay ceiling. Default 30000 ms. */
  maxMs?: number;
  /** Share of the ceiling taken off at random (0 = no jitter, 1 = full jitter). Default 0.5. */
  jitter?: number;
  /** For tests; defaults to Math.random. */
  random?: () => number;
}

/**
 * Delay before retry number `attempt` (0-based): a ceiling doubling from `initialMs` up to `maxMs`,
 * less a random share so that many clients rejected together (a hub restart, a key rotation) do not
 * come back in lockstep.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const { initialMs = 1000, maxMs = 30_000, jitter = 0.5, random = Math.random } = options;
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(Math.max(attempt, 0), 30));
  return Math.round(ceiling * (1 - jitter * random()));
}
