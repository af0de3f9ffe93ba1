import assert from "node:assert/strict";
import { test } from "node:test";
import { DEFAULT_RETRY_SCHEDULE_MS, nextRetryDelayMs, parseRetrySchedule } from "./retry-schedule.ts";

const middle = () => 0.5; // jitter factor exactly 1
const lowest = () => 0; // jitter factor 0.8
const almostHighest = () => 0.999_999; // jitter factor just under 1.2

test("the default schedule is 5s, 1m, 5m, 30m, 2h, 6h, 12h", () => {
  assert.deepEqual(DEFAULT_RETRY_SCHEDULE_MS, [5_000, 60_000, 300_000, 1_800_000, 7_200_000, 21_600_000, 43_200_000]);
});

test("attempt n that failed waits the n-th step; past the last step there is no retry", () => {
  const schedule = [1000, 2000, 3000];
  assert.equal(nextRetryDelayMs(1, schedule, { random: middle }), 1000);
  assert.equal(nextRetryDelayMs(2, schedule, { random: middle }), 2000);
  assert.equal(nextRetryDelayMs(3, schedule, { random: middle }), 3000);
  assert.equal(nextRetryDelayMs(4, schedule, { random: middle }), null);
  assert.equal(nextRetryDelayMs(1, [], { random: middle }), null);
});

test("with the default schedule a batch gets at most 8 attempts", () => {
  let attempts = 1;
  while (nextRetryDelayMs(attempts, DEFAULT_RETRY_SCHEDULE_MS) !== null) attempts++;
  assert.equal(attempts, 8);
});

test("jitter stays within [0.8, 1.2) of the step", () => {
  assert.equal(nextRetryDelayMs(2, DEFAULT_RETRY_SCHEDULE_MS, { random: lowest }), 48_000);
  const high = nextRetryDelayMs(2, DEFAULT_RETRY_SCHEDULE_MS, { random: almostHighest }) as number;
  assert.ok(high < 72_000 && high > 71_990, `high ${high}`);
  for (let i = 0; i < 200; i++) {
    const delay = nextRetryDelayMs(3, DEFAULT_RETRY_SCHEDULE_MS) as number;
    assert.ok(delay >= 240_000 && delay < 360_000, `delay ${delay}`);
  }
});

test("Retry-After lengthens the delay but never shortens it", () => {
  const schedule = [1000, 60_000];
  assert.equal(nextRetryDelayMs(1, schedule, { random: middle, retryAfterMs: 30_000 }), 30_000);
  assert.equal(nextRetryDelayMs(2, schedule, { random: middle, retryAfterMs: 5_000 }), 60_000);
  assert.equal(nextRetryDelayMs(1, schedule, { random: middle, retryAfterMs: 0 }), 1000);
});

test("Retry-After is capped at the schedule's largest step", () => {
  const year = 365 * 24 * 3_600_000;
  assert.equal(nextRetryDelayMs(1, DEFAULT_RETRY_SCHEDULE_MS, { random: middle, retryAfterMs: year }), 43_200_000);
  assert.equal(nextRetryDelayMs(1, [1000, 60_000], { random: middle, retryAfterMs: year }), 60_000);
});

test("Retry-After does not extend a used-up schedule", () => {
  assert.equal(nextRetryDelayMs(3, [1000, 2000], { retryAfterMs: 500 }), null);
});

test("parses durations with units; a bare number is seconds", () => {
  assert.deepEqual(parseRetrySchedule("5s,1m,5m,30m,2h,6h,12h"), [...DEFAULT_RETRY_SCHEDULE_MS]);
  assert.deepEqual(parseRetrySchedule("200ms,200ms"), [200, 200]);
  assert.deepEqual(parseRetrySchedule(" 10 , 1.5s, 1d, 2M "), [10_000, 1500, 86_400_000, 120_000]);
  assert.deepEqual(parseRetrySchedule("0ms"), [0]);
});

test("a bad entry or an empty list throws a clear message", () => {
  assert.throws(() => parseRetrySchedule(""), /retry schedule is empty/);
  assert.throws(() => parseRetrySchedule("  "), /retry schedule is empty/);
  assert.throws(() => parseRetrySchedule("5s,,1m"), /bad retry delay "" in "5s,,1m"/);
  assert.throws(() => parseRetrySchedule("5s,10x"), /bad retry delay "10x"/);
  assert.throws(() => parseRetrySchedule("-5s"), /bad retry delay "-5s"/);
  assert.throws(() => parseRetrySchedule("5 minutes"), /expected a number with a unit ms, s, m, h or d/);
});
