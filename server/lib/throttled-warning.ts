import type { Logger } from "pino";

/**
 * A warning for a failure that repeats while a dependency is away: logged at most once per
 * `intervalMs` (the repeats in between are dropped), so an outage neither floods the log nor goes quiet.
 */
export function createThrottledWarning(
  logger: Pick<Logger, "warn">,
  intervalMs = 10_000,
  now: () => number = Date.now,
): (fields: object, message: string) => void {
  let last = Number.NEGATIVE_INFINITY;
  return (fields, message) => {
    const t = now();
    if (t - last < intervalMs) return;
    last = t;
    logger.warn(fields, message);
  };
}
