import assert from "node:assert/strict";
import { test } from "node:test";
import { latencyBySecond, phaseLatency } from "./phase-latency.ts";

// publish times 0…9 s (ms), latency 10 ms before 3 s, 100 ms from 3 s to 6 s, 20 ms after
const t = Array.from({ length: 10 }, (_, i) => 1000 * i);
const latency = (pub: number) => (pub < 3000 ? 10 : pub <= 6000 ? 100 : 20);
const receipts = { t, at: t.map((x) => x + latency(x)) };

test("phaseLatency splits by publish time: before < drainStart ≤ during ≤ drainEnd < after", () => {
  const p = phaseLatency(receipts, 3000, 6000);
  assert.deepEqual([p.before.count, p.during.count, p.after.count], [3, 4, 3]);
  assert.equal(p.before.max, 10);
  assert.equal(p.during.min, 100);
  assert.equal(p.during.max, 100);
  assert.equal(p.after.max, 20);
});

test("phaseLatency with no receipts in a phase reports zeros", () => {
  const p = phaseLatency(receipts, 100_000, 200_000);
  assert.equal(p.before.count, 10);
  assert.equal(p.during.count, 0);
  assert.equal(p.during.p99, 0);
});

test("latencyBySecond groups by publish second since t0", () => {
  const s = latencyBySecond({ t: [500, 700, 2100], at: [510, 730, 2200] }, 0);
  assert.deepEqual(s.second, [0, 2]);
  assert.deepEqual(s.count, [2, 1]);
  assert.ok(Math.abs((s.p99Ms[0] as number) - 30) < 0.5);
  assert.ok(Math.abs((s.p50Ms[1] as number) - 100) < 1);
});
