import assert from "node:assert/strict";
import { test } from "node:test";
import { pauseAfterMs } from "./fan-out-pause.ts";

test("duty 1 never pauses; below it the pause makes writing that share of the time", () => {
  assert.equal(pauseAfterMs(40, 1), 0);
  assert.equal(pauseAfterMs(40, 0.5), 40);
  assert.equal(pauseAfterMs(30, 0.25), 90);
  assert.ok(Math.abs(40 / (40 + pauseAfterMs(40, 0.8)) - 0.8) < 1e-9);
});

test("a chunk that took no time needs no pause; a very slow one pauses at most 5 s", () => {
  assert.equal(pauseAfterMs(0, 0.1), 0);
  assert.equal(pauseAfterMs(2000, 0.01), 5000);
});
