/**
 * Prometheus histograms from the text exposition format: one family's `_bucket`, `_sum` and
 * `_count` series grouped by one label, deltas between two scrapes, merging across instances, and
 * quantiles estimated from the buckets the way PromQL's histogram_quantile does. Pure.
 */

export interface PromHistogram {
  /** [upper bound `le`, cumulative count], ascending; the last bound is Infinity */
  buckets: Array<[number, number]>;
  count: number;
  sum: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

function parseLabels(text: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of (text ?? "").matchAll(LABEL)) out.set(m[1] as string, (m[2] as string).replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c)));
  return out;
}

const parseLe = (le: string) => (le === "+Inf" ? Infinity : Number(le));

/** The family's histograms by the value of `label`; series differing only in other labels are summed. */
export function parseHistogramFamily(text: string, family: string, label: string): Map<string, PromHistogram> {
  const acc = new Map<string, { buckets: Map<number, number>; count: number; sum: number }>();
  const entry = (key: string) => {
    let e = acc.get(key);
    if (!e) acc.set(key, (e = { buckets: new Map(), count: 0, sum: 0 }));
    return e;
  };
  for (const line of text.split("\n")) {
    const m = LINE.exec(line);
    if (!m || !(m[1] as string).startsWith(family)) continue;
    const suffix = (m[1] as string).slice(family.length);
    const value = Number(m[3]);
    const labels = parseLabels(m[2]);
    const key = labels.get(label);
    if (key === undefined || !Number.isFinite(value)) continue;
    if (suffix === "_bucket") {
      const le = parseLe(labels.get("le") ?? "");
      if (Number.isNaN(le)) continue;
      const e = entry(key);
      e.buckets.set(le, (e.buckets.get(le) ?? 0) + value);
    } else if (suffix === "_count") entry(key).count += value;
    else if (suffix === "_sum") entry(key).sum += value;
  }
  const out = new Map<string, PromHistogram>();
  for (const [key, e] of acc) out.set(key, { buckets: [...e.buckets].sort((a, b) => a[0] - b[0]), count: e.count, sum: e.sum });
  return out;
}

/** Cumulative count at `le` of a histogram whose own bounds may differ (the largest bound ≤ le). */
function cumulativeAt(h: PromHistogram, le: number): number {
  let c = 0;
  for (const [bound, cum] of h.buckets) {
    if (bound > le) break;
    c = cum;
  }
  return c;
}

/** What was observed between two scrapes of the same series (`before` absent: since it started). */
export function histogramDelta(before: PromHistogram | undefined, after: PromHistogram): PromHistogram {
  if (!before || after.count < before.count) return after; // absent before, or the process restarted
  return {
    buckets: after.buckets.map(([le, cum]) => [le, cum - cumulativeAt(before, le)]),
    count: after.count - before.count,
    sum: after.sum - before.sum,
  };
}

/** Sum of histograms (instances of one family); bounds are unioned. */
export function mergeHistograms(list: PromHistogram[]): PromHistogram {
  const bounds = [...new Set(list.flatMap((h) => h.buckets.map(([le]) => le)))].sort((a, b) => a - b);
  return {
    buckets: bounds.map((le) => [le, list.reduce((s, h) => s + cumulativeAt(h, le), 0)]),
    count: list.reduce((s, h) => s + h.count, 0),
    sum: list.reduce((s, h) => s + h.sum, 0),
  };
}

/**
 * The q-quantile (0…1) as histogram_quantile estimates it: linear within the bucket that holds the
 * rank, the lowest bucket starting at 0; a rank in the +Inf bucket gives the highest finite bound.
 * null when nothing was observed.
 */
export function histogramQuantile(q: number, h: PromHistogram): number | null {
  const total = h.buckets[h.buckets.length - 1]?.[1] ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  let prevLe = 0, prevCum = 0;
  for (const [le, cum] of h.buckets) {
    if (cum >= rank && cum > prevCum) {
      if (le === Infinity) return prevLe;
      if (prevLe === 0 && le <= 0) return le;
      return prevLe + ((le - prevLe) * (rank - prevCum)) / (cum - prevCum);
    }
    prevLe = le;
    prevCum = cum;
  }
  return prevLe;
}
