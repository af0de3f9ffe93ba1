import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { backoffDelay } from "../src/backoff.ts";

describe("backoffDelay", () => {
  it("doubles from 1 s up to 30 s without jitter", () => {
    const delays = [0, 1, 2, 3, 4, 5, 6, 50].map((n) => backoffDelay(n, { jitter: 0 }));
    assert.deepEqual(delays, [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  it("takes up to half off at random by default", () => {
    assert.equal(backoffDelay(0, { random: () => 0 }), 1000);
    assert.equal(backoffDelay(0, { random: () => 0.999999 }), 500);
    assert.equal(backoffDelay(10, { random: () => 0.5 }), 22500);
  });

  it("stays within [ceiling/2, ceiling] with Math.random", () => {
    for (let attempt = 0; attempt < 8; attempt++) {
      const ceiling = Math.min(30_000, 1000 * 2 ** attempt);
      for (let i = 0; i < 50; i++) {
        const d = backoffDelay(attempt);
        assert.ok(d >= ceiling / 2 && d <= ceiling, `${d} for attempt ${attempt}`);
      }
    }
  });

  it("honours other bounds", () => {
    assert.equal(backoffDelay(0, { initialMs: 10, maxMs: 25, jitter: 0 }), 10);
    assert.equal(backoffDelay(5, { initialMs: 10, maxMs: 25, jitter: 0 }), 25);
  });
});
