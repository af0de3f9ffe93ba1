import assert from "node:assert/strict";
import { test } from "node:test";
import { createHistogram, recordValue, toSparse } from "./stats.ts";
import { bytesPerRow, evaluateTargets, mergeReceipts, perSecond, splitDirectLatency, summarizeCalls } from "./topic-figures.ts";
import type { TopicWorkerFinal } from "./topic-ipc.ts";

test("summarizeCalls: mean, lower median, max and total of call durations", () => {
  assert.deepEqual(summarizeCalls([300, 100, 200, 1000]), { count: 4, meanMs: 400, p50Ms: 200, maxMs: 1000, totalSec: 1.6 });
  assert.deepEqual(summarizeCalls([12.34]), { count: 1, meanMs: 12.3, p50Ms: 12.3, maxMs: 12.3, totalSec: 0.012 });
  assert.deepEqual(summarizeCalls([]), { count: 0, meanMs: 0, p50Ms: 0, maxMs: 0, totalSec: 0 });
});

test("splitDirectLatency: before the first fan-out, inside any fan-out window, and the rest", () => {
  const receipts = { t: [100, 200, 1000, 1500, 2500, 3100, 4000], at: [110, 210, 1050, 1600, 2510, 3200, 4005] };
  const d = splitDirectLatency(receipts, [{ from: 1000, to: 2000 }, { from: 3000, to: 3500 }]);
  assert.equal(d.before.count, 2);
  assert.equal(d.before.max, 10);
  assert.equal(d.during.count, 3);
  assert.equal(d.during.max, 100);
  assert.equal(d.during.min, 50);
  assert.equal(d.other.count, 2);
  assert.equal(splitDirectLatency(receipts, []).before.count, 7);
});

test("perSecond and bytesPerRow: rounded, null without a duration or rows", () => {
  assert.equal(perSecond(100_000, 1600), 62_500);
  assert.equal(perSecond(100_000, null), null);
  assert.equal(perSecond(100_000, 0), null);
  assert.equal(bytesPerRow(12_345_678, 100_000), 123.5);
  assert.equal(bytesPerRow(1000, 0), null);
});

const worker = (workerIndex: number, clients: number, publishes: TopicWorkerFinal["publishes"]): TopicWorkerFinal => ({
  workerIndex, clients, publishes, connected: clients, connectErrors: 0, disconnects: 0, receivedByPublish: {}, unexpected: 0, acksSent: 0,
  deliveries: { messageEvents: 0, frames: 0, framedMessages: 0, acksSent: 0, noAckCallback: 0, malformedFrames: 0 }, errorSample: [],
  eventLoopDelayMs: { p50: 0, p99: 0, max: 0 },
});

test("mergeReceipts: sums workers, merges latencies, and names the clients of a worker that got nothing", () => {
  const h1 = createHistogram(), h2 = createHistogram();
  [10_000, 20_000].forEach((v) => recordValue(h1, v));
  recordValue(h2, 400_000);
  const finals = [
    worker(0, 2, [{ publishId: "7", received: 2, duplicates: 1, latency: toSparse(h1), firstAt: 5, lastAt: 9, missingSample: [] }]),
    worker(1, 2, [{ publishId: "7", received: 1, duplicates: 0, latency: toSparse(h2), firstAt: 6, lastAt: 12, missingSample: ["u3"] }]),
    worker(2, 3, []),
  ];
  const m = mergeReceipts(finals, "7", (w) => [`w${w}-a`, `w${w}-b`, `w${w}-c`]);
  assert.equal(m.expected, 7);
  assert.equal(m.received, 3);
  assert.equal(m.missing, 4);
  assert.equal(m.duplicates, 1);
  assert.equal(m.lastAt, 12);
  assert.equal(m.latencyMs.count, 3);
  assert.equal(m.latencyMs.max, 400);
  assert.deepEqual(m.missingSample, ["u3", "w2-a", "w2-b", "w2-c"]);
  assert.equal(mergeReceipts(finals, "8", () => []).received, 0);
});

test("evaluateTargets: met, missed, and not measured", () => {
  const [sub, rows, direct] = evaluateTargets({ subscribeMaxMs: 800, rowsPerSec: [60_000, 40_000], directBeforeP99Ms: 10, directDuringP99Ms: 25 });
  assert.equal(sub?.met, true);
  assert.equal(rows?.met, false);
  assert.equal(rows?.value, "40000/s");
  assert.equal(direct?.met, false);
  assert.match(direct?.value ?? "", /^2\.5 /);
  const none = evaluateTargets({ subscribeMaxMs: null, rowsPerSec: [null], directBeforeP99Ms: null, directDuringP99Ms: 5 });
  assert.deepEqual(none.map((t) => t.met), [null, null, null]);
});
