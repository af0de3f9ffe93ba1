import assert from "node:assert/strict";
import { test } from "node:test";
import { bucketBounds, bucketOf, createHistogram, displayBins, fromSparse, mergeHistogram, percentile, recordValue, summarize, toSparse } from "./stats.ts";

function exactPercentile(sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

function lcg(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

test("every value falls inside its bucket's bounds", () => {
  for (const v of [1, 1.5, 2, 10, 99.9, 1000, 123456, 9.9e7]) {
    const [lo, hi] = bucketBounds(bucketOf(v));
    assert.ok(v >= lo * 0.999999 && v < hi * 1.000001, `${v} in [${lo}, ${hi})`);
  }
  assert.equal(bucketOf(0), 0);
  assert.equal(bucketOf(0.3), 0);
});

test("percentiles are within 1 % of the exact value", () => {
  const rand = lcg(42);
  const values = Array.from({ length: 20_000 }, () => Math.exp(rand() * 12) * 10);
  const h = createHistogram();
  for (const v of values) recordValue(h, v);
  const sorted = [...values].sort((a, b) => a - b);
  for (const p of [1, 25, 50, 90, 95, 99, 99.9]) {
    const exact = exactPercentile(sorted, p);
    const got = percentile(h, p);
    assert.ok(Math.abs(got - exact) / exact < 0.01, `p${p}: ${got} vs ${exact}`);
  }
  assert.equal(percentile(h, 100), sorted[sorted.length - 1]);
  assert.equal(percentile(h, 0), sorted[0]);
});

test("summary of an empty histogram is all zeros", () => {
  const s = summarize(createHistogram());
  assert.deepEqual(Object.values(s), [0, 0, 0, 0, 0, 0, 0, 0, 0]);
});

test("summarize scales and reports exact min, max and mean", () => {
  const h = createHistogram();
  for (const v of [1000, 2000, 3000, 4000]) recordValue(h, v);
  const s = summarize(h, 1000);
  assert.equal(s.count, 4);
  assert.equal(s.min, 1);
  assert.equal(s.max, 4);
  assert.equal(s.mean, 2.5);
  assert.ok(Math.abs(s.p50 - 2) < 0.02);
});

test("merging sparse halves equals recording everything in one", () => {
  const rand = lcg(7);
  const all = createHistogram(), a = createHistogram(), b = createHistogram();
  for (let i = 0; i < 5000; i++) {
    const v = rand() * 1e5;
    recordValue(all, v);
    recordValue(i % 2 ? a : b, v);
  }
  const merged = fromSparse(toSparse(a));
  mergeHistogram(merged, toSparse(b));
  assert.deepEqual(toSparse(merged).buckets, toSparse(all).buckets);
  assert.deepEqual(toSparse(merged).counts, toSparse(all).counts);
  assert.equal(merged.count, all.count);
  assert.equal(merged.min, all.min);
  assert.equal(merged.max, all.max);
  assert.ok(Math.abs(merged.sum - all.sum) < 1e-6 * all.sum);
});

test("negative values count as zero; times records several at once", () => {
  const h = createHistogram();
  recordValue(h, -5);
  recordValue(h, 10, 3);
  assert.equal(h.count, 4);
  assert.equal(h.min, 0);
  assert.ok(Math.abs(percentile(h, 50) - 10) < 0.1);
  assert.ok(percentile(h, 1) < 1);
});

test("display bins keep every count", () => {
  const h = createHistogram();
  for (let v = 1; v < 10_000; v *= 1.1) recordValue(h, v);
  const bins = displayBins(h, 30);
  assert.equal(bins.length, 30);
  assert.equal(bins.reduce((n, [, , c]) => n + c, 0), h.count);
  assert.deepEqual(displayBins(createHistogram(), 30), []);
});
