import assert from "node:assert/strict";
import { test } from "node:test";
import type { Logger } from "pino";
import { createThrottledWarning } from "./throttled-warning.ts";

function setup(intervalMs: number) {
  let clock = 1_000_000;
  const logged: { fields: object; message: string }[] = [];
  const logger = { warn: (fields: object, message: string) => void logged.push({ fields, message }) } as unknown as Pick<Logger, "warn">;
  const warn = createThrottledWarning(logger, intervalMs, () => clock);
  return { warn, logged, advance: (ms: number) => void (clock += ms) };
}

test("the first warning is logged at once, with its fields and message", () => {
  const { warn, logged } = setup(10_000);
  warn({ reason: "down" }, "cannot reach it");
  assert.deepEqual(logged, [{ fields: { reason: "down" }, message: "cannot reach it" }]);
});

test("repeats within the interval are dropped; the next one after it is logged", () => {
  const { warn, logged, advance } = setup(10_000);
  warn({ n: 1 }, "w");
  advance(5_000);
  warn({ n: 2 }, "w");
  advance(4_999);
  warn({ n: 3 }, "w");
  advance(1);
  warn({ n: 4 }, "w");
  assert.deepEqual(
    logged.map((l) => l.fields),
    [{ n: 1 }, { n: 4 }],
  );
});

test("a failure that never stops is still reported once per interval", () => {
  const { warn, logged, advance } = setup(10_000);
  for (let i = 0; i < 60; i++) {
    warn({ i }, "still failing");
    advance(1_000);
  }
  assert.equal(logged.length, 6);
});
