import assert from "node:assert/strict";
import { test } from "node:test";
import { retryDelayMs } from "./backoff.ts";

test("doubles per attempt from the base, capped at the max", () => {
  const mid = () => 0.5;
  assert.equal(retryDelayMs(1, 1000, 60000, mid), 1000);
  assert.equal(retryDelayMs(2, 1000, 60000, mid), 2000);
  assert.equal(retryDelayMs(4, 1000, 60000, mid), 8000);
  assert.equal(retryDelayMs(20, 1000, 60000, mid), 60000);
  assert.equal(retryDelayMs(10_000, 1000, 60000, mid), 60000);
});

test("jitter stays within ±20%", () => {
  assert.equal(retryDelayMs(1, 1000, 60000, () => 0), 800);
  assert.equal(retryDelayMs(1, 1000, 60000, () => 1), 1200);
});
