import assert from "node:assert/strict";
import { test } from "node:test";
import { generateSchedule, HUB_START_ALLOWANCE_MS, REPORTED_SCHEDULE, scheduleFor, seededRandom } from "./schedule.ts";

test("a seed always gives the same schedule; other seeds give other ones", () => {
  assert.deepEqual(generateSchedule(42), generateSchedule(42));
  const distinct = new Set([1, 2, 3, 4, 5, 6].map((s) => JSON.stringify(generateSchedule(s).faults)));
  assert.ok(distinct.size >= 5);
});

test("generated schedules keep one hub up and never overlap Redis outages", () => {
  for (let seed = 0; seed < 500; seed++) {
    const s = generateSchedule(seed);
    assert.ok(s.faults.length >= 2, `seed ${seed} has faults`);
    const hubs = s.faults.filter((f) => f.target !== "redis");
    const redis = s.faults.filter((f) => f.target === "redis");
    for (let i = 1; i < hubs.length; i++) assert.ok(hubs[i]!.killAtMs >= hubs[i - 1]!.restartAtMs + HUB_START_ALLOWANCE_MS, `seed ${seed}`);
    for (let i = 1; i < redis.length; i++) assert.ok(redis[i]!.killAtMs > redis[i - 1]!.restartAtMs, `seed ${seed}`);
    for (const f of s.faults) {
      assert.ok(f.restartAtMs > f.killAtMs);
      assert.ok(f.restartAtMs < s.trafficMs);
    }
    assert.ok(s.trafficMs <= 35000, `seed ${seed} runs ${s.trafficMs} ms`);
  }
});

test("scheduleFor: 'reported' is the probe's sequence; a number is generated; anything else is refused", () => {
  assert.equal(scheduleFor("reported"), REPORTED_SCHEDULE);
  assert.deepEqual(scheduleFor("7"), generateSchedule(7));
  assert.throws(() => scheduleFor("-1"), /CHAOS_SEED/);
  assert.throws(() => scheduleFor("abc"), /CHAOS_SEED/);
});

test("seededRandom stays in [0, 1)", () => {
  const rand = seededRandom(123);
  for (let i = 0; i < 10000; i++) {
    const x = rand();
    assert.ok(x >= 0 && x < 1);
  }
});
