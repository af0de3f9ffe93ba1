import type { StoredSeries } from "./scraped-series.ts";

/** Two scrapes of one hub `seconds` apart, around a condition the test produced. */
export interface Window {
  before: StoredSeries[];
  after: StoredSeries[];
  seconds: number;
}

const MINUTES = 60;
const EVAL_AT = "45m";

const key = (s: StoredSeries) => {
  const labels = Object.entries(s.labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return `${s.name}{${labels.join(",")}}`;
};

// promtool's series notation has no exponents.
const num = (v: number) => (/e/i.test(String(v)) ? v.toFixed(20).replace(/\.?0+$/, "") : String(v));

// Counters, and histograms' and summaries' _bucket/_sum/_count, only grow; the rest are gauges.
const grows = (s: StoredSeries) => s.type === "counter" || s.type === "histogram" || (s.type === "summary" && /_(sum|count)$/.test(s.name));

/**
 * promtool's input series for a window held for an hour: counters grow at the rate they grew between the
 * two scrapes, gauges keep their last value. Samples every minute, as a scrape every minute would store.
 */
export function inputSeries(window: Window): { series: string; values: string }[] {
  const before = new Map(window.before.map((s) => [key(s), s.value]));
  return window.after
    .filter((s) => Number.isFinite(s.value))
    .map((s) => {
      if (!grows(s)) return { series: key(s), values: `${num(s.value)}x${MINUTES}` };
      const start = before.get(key(s)) ?? 0;
      const perMinute = (Math.max(0, s.value - start) / window.seconds) * 60;
      return { series: key(s), values: `${num(start)}+${num(perMinute)}x${MINUTES}` };
    });
}

/**
 * A promtool unit-test file (JSON, which is YAML) asserting that, `EVAL_AT` into the window, exactly the
 * alerts `firing` fire.
 */
export function promtoolTestFile(rulesFile: string, window: Window, firing: readonly string[]): string {
  return JSON.stringify({
    rule_files: [rulesFile],
    evaluation_interval: "1m",
    tests: [
      {
        interval: "1m",
        input_series: inputSeries(window),
        promql_expr_test: [
          {
            expr: 'group by (alertname) (ALERTS{alertstate="firing"})',
            eval_time: EVAL_AT,
            exp_samples: [...firing].sort().map((alertname) => ({ labels: `{alertname=${JSON.stringify(alertname)}}`, value: 1 })),
          },
        ],
      },
    ],
  });
}
