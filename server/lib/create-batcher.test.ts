import assert from "node:assert/strict";
import { test } from "node:test";
import { createBatcher } from "./create-batcher.ts";

test("concurrent adds share one flush and get their own results", async () => {
  const batches: number[][] = [];
  const b = createBatcher<number, number>({
    maxItems: 100,
    maxDelayMs: 5,
    flush: async (items) => {
      batches.push(items);
      return items.map((x) => x * 2);
    },
  });
  const results = await Promise.all([1, 2, 3].map((x) => b.add(x)));
  assert.deepEqual(results, [2, 4, 6]);
  assert.deepEqual(batches, [[1, 2, 3]]);
});

test("maxItems flushes at once; a failed flush rejects only its batch", async () => {
  let calls = 0;
  const b = createBatcher<number, number>({
    maxItems: 2,
    maxDelayMs: 1000,
    flush: async (items) => {
      calls += 1;
      if (items.includes(-1)) throw new Error("boom");
      return items;
    },
  });
  const ok = Promise.all([b.add(1), b.add(2)]);
  const bad = Promise.all([b.add(-1), b.add(3)]);
  assert.deepEqual(await ok, [1, 2]);
  await assert.rejects(bad, /boom/);
  assert.equal(calls, 2);
});

test("drain waits for flushes in progress", async () => {
  let done = false;
  const b = createBatcher<number, number>({
    maxItems: 10,
    maxDelayMs: 1000,
    flush: async (items) => {
      await new Promise((r) => setTimeout(r, 20));
      done = true;
      return items;
    },
  });
  const p = b.add(1);
  await b.drain();
  assert.equal(done, true);
  assert.equal(await p, 1);
});

test("rows and bytes cap each flush; an item past the cap starts the next batch", async () => {
  const batches: number[][] = [];
  const b = createBatcher<number, number>({
    maxItems: 100,
    maxDelayMs: 5,
    size: (n) => ({ rows: n, bytes: n * 10 }),
    maxRows: 10,
    maxBytes: 80,
    flush: async (items) => {
      batches.push(items);
      return items;
    },
  });
  await Promise.all([3, 4, 5, 20, 1].map((n) => b.add(n)));
  // 3+4 = 7 rows / 70 bytes; 5 would make 120 bytes → new batch; 20 alone exceeds both → alone; 1 after it.
  assert.deepEqual(batches, [[3, 4], [5], [20], [1]]);
});

test("maxConcurrent: arrivals during a running flush gather into the next batch", async () => {
  const batches: number[][] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const b = createBatcher<number, number>({
    maxItems: 100,
    maxDelayMs: 0,
    maxConcurrent: 1,
    flush: async (items) => {
      batches.push(items);
      if (items[0] === 1) await gate;
      return items;
    },
  });
  const first = b.add(1);
  await new Promise((r) => setTimeout(r, 5));
  const rest = Promise.all([2, 3, 4].map((n) => b.add(n)));
  await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(batches, [[1]], "no second flush while the first runs");
  release();
  assert.deepEqual(await Promise.all([first, rest]), [1, [2, 3, 4]]);
  assert.deepEqual(batches, [[1], [2, 3, 4]]);
});

test("one add after another, each awaited: every one is flushed (timers that fire early re-arm)", async () => {
  const b = createBatcher<number, number>({ maxItems: 100, maxDelayMs: 2, maxConcurrent: 2, flush: async (items) => items });
  for (let i = 0; i < 300; i++) assert.equal(await b.add(i), i);
});
