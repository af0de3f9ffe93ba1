import assert from "node:assert/strict";
import { test } from "node:test";
import { createDrainTally, isComplete, missing, recordReceipt } from "./drain-tally.ts";

test("in-order delivery of every sequence number is complete and clean", () => {
  const t = createDrainTally(1000);
  for (let s = 0; s < 1000; s++) assert.equal(recordReceipt(t, s, 10 + s), "first");
  assert.ok(isComplete(t));
  assert.deepEqual([t.received, t.duplicates, t.outOfOrder, t.invalid, t.highest], [1000, 0, 0, 0, 999]);
  assert.deepEqual(missing(t), { count: 0, sample: [] });
  assert.equal(t.firstAt, 10);
  assert.equal(t.lastAt, 1009);
});

test("duplicates count separately and do not move lastAt", () => {
  const t = createDrainTally(3);
  recordReceipt(t, 0, 1);
  recordReceipt(t, 1, 2);
  assert.equal(recordReceipt(t, 1, 3), "duplicate");
  assert.equal(recordReceipt(t, 0, 4), "duplicate");
  recordReceipt(t, 2, 5);
  assert.deepEqual([t.received, t.duplicates, t.outOfOrder, t.lastAt], [3, 2, 0, 5]);
  assert.ok(isComplete(t));
});

test("a late first receipt counts as out of order once, a redelivered earlier one is a duplicate", () => {
  const t = createDrainTally(6);
  for (const s of [0, 2, 3, 1, 4, 3, 5]) recordReceipt(t, s, 0);
  assert.equal(t.outOfOrder, 1);
  assert.deepEqual(t.outOfOrderSample, [{ seq: 1, afterSeq: 3 }]);
  assert.equal(t.duplicates, 1);
  assert.ok(isComplete(t));
});

test("a reversed stream: every receipt after the first is out of order", () => {
  const t = createDrainTally(5);
  for (const s of [4, 3, 2, 1, 0]) recordReceipt(t, s, 0);
  assert.equal(t.outOfOrder, 4);
});

test("missing sequence numbers and invalid payloads", () => {
  const t = createDrainTally(10);
  for (const s of [0, 1, 2, 5, 9]) recordReceipt(t, s, 0);
  for (const bad of [-1, 10, 2.5, "3", undefined, null]) assert.equal(recordReceipt(t, bad, 0), "invalid");
  assert.equal(t.invalid, 6);
  assert.ok(!isComplete(t));
  assert.deepEqual(missing(t), { count: 5, sample: [3, 4, 6, 7, 8] });
  assert.deepEqual(missing(t, 2), { count: 5, sample: [3, 4] });
});
