import assert from "node:assert/strict";
import { test } from "node:test";
import type { TableSize } from "./db-sampler.ts";
import { buildStorageReport, firstLastMax, formatStorageTable } from "./storage-summary.ts";

const size = (bytes: number, partitions = 0): TableSize => ({ bytes, partitions, liveRows: bytes / 100, deadRows: 0 });

test("firstLastMax: first, last, max and the half ratio", () => {
  assert.deepEqual(firstLastMax([]), { first: 0, last: 0, max: 0, halfRatio: null });
  assert.deepEqual(firstLastMax([5]), { first: 5, last: 5, max: 5, halfRatio: null });
  // warm-up then flat: the second half peaks no higher than the first
  assert.deepEqual(firstLastMax([1, 8, 10, 9, 10, 9]), { first: 1, last: 9, max: 10, halfRatio: 1 });
  // still growing
  assert.equal(firstLastMax([1, 2, 3, 4, 5, 6]).halfRatio, 2);
});

test("buildStorageReport: seconds since t0, one row per table, tables missing from a sample skipped", () => {
  const t0 = 1_000_000;
  const report = buildStorageReport({
    t0,
    intervalSec: 10,
    outcome: {
      samples: [
        { atMs: t0 - 100, databaseBytes: 8e6, tables: { messages: size(16384, 2), uid_streams: size(8192) } },
        { atMs: t0 + 10_000, databaseBytes: 9e6, tables: { messages: size(1 << 20, 3) } },
        { atMs: t0 + 20_000, databaseBytes: 9e6, tables: { messages: size(1 << 19, 2), uid_streams: size(16384) } },
      ],
      errors: 1,
      errorSample: ["canceling statement due to lock timeout"],
    },
    processes: [{ label: "hub-0", pid: 1, samples: [{ at: 0, cpuPct: 1, rssMB: 100 }, { at: 1, cpuPct: 1, rssMB: 120 }] }],
  });
  assert.deepEqual(report.samples.map((s) => s.at), [-0.1, 10, 20]);
  const messages = report.rows.find((r) => r.name === "messages");
  assert.deepEqual(messages?.bytes, { first: 16384, last: 1 << 19, max: 1 << 20, halfRatio: 64 });
  assert.deepEqual(messages?.partitions, { first: 2, last: 2, max: 3, halfRatio: 1.5 });
  assert.deepEqual(report.rows.find((r) => r.name === "uid_streams")?.bytes, { first: 8192, last: 16384, max: 16384, halfRatio: 2 });
  assert.deepEqual(report.rss, [{ label: "hub-0", rssMB: { first: 100, last: 120, max: 120, halfRatio: 1.2 } }]);
  const text = formatStorageTable(report);
  assert.match(text, /3 samples every 10 s \(-0\.1–20 s\)/);
  assert.match(text, /messages\s+0\.0\s+0\.5\s+1\.0\s+64\.00\s+2\/2\/3/);
  assert.match(text, /hub-0 RSS\s+100\.0\s+120\.0\s+120\.0/);
  assert.match(text, /1 sample\(s\) failed/);
});
