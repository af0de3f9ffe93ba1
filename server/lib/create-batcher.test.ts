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
