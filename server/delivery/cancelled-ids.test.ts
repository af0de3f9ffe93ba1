import assert from "node:assert/strict";
import { test } from "node:test";
import { createCancelledIds } from "./cancelled-ids.ts";

test("a cancelled id is remembered for its ttl, then forgotten", () => {
  let t = 1000;
  const ids = createCancelledIds(500, () => t);
  ids.add([7n, 9n]);
  assert.equal(ids.has(7n), true);
  assert.equal(ids.has(8n), false);
  t = 1499;
  assert.equal(ids.has(9n), true);
  t = 1500;
  assert.equal(ids.has(9n), false);
  assert.equal(ids.size, 1, "an expired entry leaves when asked for");
});

test("past 10,000 entries, adding prunes the expired ones", () => {
  let t = 0;
  const ids = createCancelledIds(10, () => t);
  ids.add(Array.from({ length: 10_001 }, (_, i) => BigInt(i + 1)));
  t = 20;
  ids.add([1n]);
  assert.equal(ids.size, 1);
});
