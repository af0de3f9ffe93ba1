const DELTA_SECONDS = /^\d+$/;
const NAMES_A_MONTH = /jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec/i;

/**
 * An HTTP Retry-After value as ms from `now`: delta-seconds ("120") or an HTTP-date (one in the past
 * gives 0). Undefined when absent or unparseable.
 */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (DELTA_SECONDS.test(text)) {
    const ms = Number(text) * 1000;
    return Number.isFinite(ms) ? ms : undefined;
  }
  // Date.parse also reads "-1" or "1.5" as dates; every HTTP-date form names its month.
  if (!NAMES_A_MONTH.test(text)) return undefined;
  // asctime dates carry no zone but are GMT; Date.parse would read them as local time.
  const at = Date.parse(/gmt|utc/i.test(text) ? text : `${text} GMT`);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
