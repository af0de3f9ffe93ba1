const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Delays before retry 1..7 of a failed POST: at most 8 attempts, spread over about 21 hours. */
export const DEFAULT_RETRY_SCHEDULE_MS: readonly number[] = [5 * SECOND, MINUTE, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 6 * HOUR, 12 * HOUR];

const JITTER_LOW = 0.8;
const JITTER_SPAN = 0.4;

/**
 * The delay before the attempt after `attempt` (1-based, the one that just failed), or null when the
 * schedule is used up. The step is jittered by ×[0.8, 1.2) so failed batches do not retry in lockstep.
 * A Retry-After makes the delay at least that long, but never more than the schedule's largest step:
 * a hostile header must not park a batch for a year.
 */
export function nextRetryDelayMs(
  attempt: number,
  schedule: readonly number[],
  opts: { retryAfterMs?: number; random?: () => number } = {},
): number | null {
  const step = schedule[Math.max(1, Math.floor(attempt)) - 1];
  if (step === undefined) return null;
  const random = opts.random ?? Math.random;
  const jittered = Math.floor(step * (JITTER_LOW + JITTER_SPAN * random()));
  if (opts.retryAfterMs === undefined) return jittered;
  const requested = Math.min(Math.max(0, opts.retryAfterMs), Math.max(...schedule));
  return Math.max(jittered, Math.ceil(requested));
}

const UNIT_MS: Record<string, number> = { ms: 1, s: SECOND, m: MINUTE, h: HOUR, d: 24 * HOUR };
const ENTRY = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/i;

/** Parses "5s,1m,5m,30m,2h,6h,12h" (units ms, s, m, h, d; a bare number is seconds) into milliseconds. */
export function parseRetrySchedule(text: string): number[] {
  const entries = text.split(",").map((e) => e.trim());
  if (entries.length === 1 && entries[0] === "") {
    throw new Error("the retry schedule is empty: give comma-separated delays such as 5s,1m,5m,30m,2h");
  }
  return entries.map((entry) => {
    const match = ENTRY.exec(entry);
    if (!match) {
      throw new Error(`bad retry delay "${entry}" in "${text}": expected a number with a unit ms, s, m, h or d (e.g. 30s, 5m)`);
    }
    const unit = (match[2] ?? "s").toLowerCase();
    return Math.round(Number(match[1]) * (UNIT_MS[unit] as number));
  });
}
