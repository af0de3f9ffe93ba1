import assert from "node:assert/strict";
import { test } from "node:test";
import { countBits, createBitmap, decodeBitmap, encodeBitmap, forEachSet, hasBit, inRange, orInto, setBit } from "./seq-bitmap.ts";

test("set, test, count, iterate", () => {
  const m = createBitmap(100);
  for (const s of [0, 7, 8, 63, 99]) setBit(m, s);
  assert.equal(countBits(m), 5);
  assert.ok(hasBit(m, 63) && !hasBit(m, 62));
  const seen: number[] = [];
  forEachSet(m, (s) => seen.push(s));
  assert.deepEqual(seen, [0, 7, 8, 63, 99]);
  assert.ok(inRange(m, 99) && !inRange(m, 100) && !inRange(m, -1) && !inRange(m, 1.5));
});

test("base64 round trip and OR", () => {
  const a = createBitmap(50), b = createBitmap(50);
  setBit(a, 1);
  setBit(b, 49);
  const back = decodeBitmap(encodeBitmap(a), 50);
  orInto(back, b);
  assert.equal(countBits(back), 2);
  assert.ok(hasBit(back, 1) && hasBit(back, 49));
});
