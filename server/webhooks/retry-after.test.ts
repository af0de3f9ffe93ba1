import assert from "node:assert/strict";
import { test } from "node:test";
import { parseRetryAfter } from "./retry-after.ts";

const now = Date.parse("2025-06-01T12:00:00Z");

test("delta-seconds become milliseconds", () => {
  assert.equal(parseRetryAfter("7", now), 7000);
  assert.equal(parseRetryAfter(" 120 ", now), 120_000);
  assert.equal(parseRetryAfter("0", now), 0);
});

test("an HTTP-date in any of its three forms is the time left until it", () => {
  assert.equal(parseRetryAfter("Sun, 01 Jun 2025 12:00:30 GMT", now), 30_000);
  assert.equal(parseRetryAfter("Sunday, 01-Jun-25 12:01:00 GMT", now), 60_000);
  assert.equal(parseRetryAfter("Sun Jun  1 12:00:10 2025", now), 10_000);
});

test("a date in the past gives 0", () => {
  assert.equal(parseRetryAfter("Sun, 01 Jun 2025 11:00:00 GMT", now), 0);
});

test("absent or unparseable values give undefined", () => {
  for (const value of [undefined, "", "  ", "soon", "-1", "1.5", "7s", "Mon, 99 Foo 2025 00:00:00 GMT"]) {
    assert.equal(parseRetryAfter(value, now), undefined, `for ${JSON.stringify(value)}`);
  }
});
