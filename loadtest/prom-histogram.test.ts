import assert from "node:assert/strict";
import { test } from "node:test";
import { Histogram, Registry } from "prom-client";
import { phaseTimings } from "./phase-timings.ts";
import { histogramDelta, histogramQuantile, mergeHistograms, parseHistogramFamily } from "./prom-histogram.ts";

const BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1];

function exposition(observe: (h: Histogram<"phase">) => void): Promise<string> {
  const registry = new Registry();
  const h = new Histogram({ name: "pushhub_phase_seconds", help: "test", labelNames: ["phase"], buckets: BUCKETS, registers: [registry] });
  observe(h);
  return registry.metrics();
}

test("prom-client's exposition parses into one histogram per phase", async () => {
  const text = await exposition((h) => {
    for (let i = 0; i < 10; i++) h.observe({ phase: "accept" }, 0.002);
    h.observe({ phase: "emit" }, 0.2);
  });
  const byPhase = parseHistogramFamily(text + 'other_seconds_bucket{phase="accept",le="+Inf"} 99\n', "pushhub_phase_seconds", "phase");
  assert.deepEqual([...byPhase.keys()].sort(), ["accept", "emit"]);
  const accept = byPhase.get("accept");
  assert.equal(accept?.count, 10);
  assert.ok(Math.abs((accept?.sum ?? 0) - 0.02) < 1e-9);
  assert.deepEqual(accept?.buckets, [[0.001, 0], [0.005, 10], [0.01, 10], [0.05, 10], [0.1, 10], [Infinity, 10]]);
});

test("quantiles interpolate linearly inside the bucket holding the rank", () => {
  // 100 observations: 50 in (0, 0.01], 40 in (0.01, 0.05], 10 in (0.05, 0.1]
  const h = { buckets: [[0.01, 50], [0.05, 90], [0.1, 100], [Infinity, 100]] as Array<[number, number]>, count: 100, sum: 3 };
  assert.equal(histogramQuantile(0.5, h), 0.01);
  assert.ok(Math.abs((histogramQuantile(0.7, h) ?? 0) - 0.03) < 1e-12);
  assert.ok(Math.abs((histogramQuantile(0.99, h) ?? 0) - 0.095) < 1e-12);
  assert.ok(Math.abs((histogramQuantile(0.25, h) ?? 0) - 0.005) < 1e-12);
  assert.equal(histogramQuantile(0.5, { buckets: [[0.1, 0], [Infinity, 0]], count: 0, sum: 0 }), null);
});

test("a rank in the +Inf bucket gives the highest finite bound", () => {
  const h = { buckets: [[0.01, 1], [0.1, 2], [Infinity, 10]] as Array<[number, number]>, count: 10, sum: 50 };
  assert.equal(histogramQuantile(0.99, h), 0.1);
});

test("deltas between scrapes and sums over instances, then per-phase p50/p99 in ms", async () => {
  const first = parseHistogramFamily(await exposition((h) => h.observe({ phase: "commit" }, 0.003)), "pushhub_phase_seconds", "phase");
  const last = parseHistogramFamily(
    await exposition((h) => {
      h.observe({ phase: "commit" }, 0.003);
      for (let i = 0; i < 99; i++) h.observe({ phase: "commit" }, 0.02);
      h.observe({ phase: "ack" }, 0.0005);
    }),
    "pushhub_phase_seconds",
    "phase",
  );
  const commit = histogramDelta(first.get("commit"), last.get("commit") as NonNullable<ReturnType<typeof last.get>>);
  assert.equal(commit.count, 99);
  assert.deepEqual(commit.buckets.map(([, c]) => c), [0, 0, 0, 99, 99, 99]);
  const other = { buckets: [[0.01, 1], [0.05, 1], [Infinity, 1]] as Array<[number, number]>, count: 1, sum: 0.004 };
  assert.deepEqual(mergeHistograms([commit, other]).buckets.slice(0, 4), [[0.001, 0], [0.005, 0], [0.01, 1], [0.05, 100]]);

  const rows = phaseTimings([{ commit, ack: last.get("ack") as NonNullable<ReturnType<typeof last.get>> }, { commit: other }]);
  assert.deepEqual(rows.map((r) => r.phase), ["commit", "ack"]);
  const c = rows[0];
  assert.equal(c?.count, 100);
  // rank 50 of 100 falls in (0.01, 0.05] holding 99 (1 below): 10 + 40 × 49/99 ms
  assert.equal(c?.p50Ms, Math.round((0.01 + (0.04 * 49) / 99) * 1e6) / 1000);
  assert.equal(c?.p99Ms, Math.round((0.01 + (0.04 * 98) / 99) * 1e6) / 1000);
  assert.equal(rows[1]?.p50Ms, 0.5);
});

test("no phase family on /metrics: no rows", () => {
  assert.deepEqual(phaseTimings([]), []);
  assert.deepEqual(phaseTimings([{}]), []);
});
