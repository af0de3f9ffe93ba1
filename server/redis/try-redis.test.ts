import assert from "node:assert/strict";
import { test } from "node:test";
import { tryRedis } from "./try-redis.ts";

const ready = { status: "ready" as const };

test("a reply within the timeout is passed on", async () => {
  assert.deepEqual(await tryRedis(ready, 1000, async () => [1, 0]), { ok: true, reply: [1, 0] });
});

test("a client that is not connected is not asked at all", async () => {
  let called = false;
  const attempt = await tryRedis({ status: "reconnecting" }, 1000, async () => {
    called = true;
    return 1;
  });
  assert.deepEqual(attempt, { ok: false, reason: "redis reconnecting" });
  assert.equal(called, false);
});

test("a failed command gives its message as the reason", async () => {
  assert.deepEqual(await tryRedis(ready, 1000, () => Promise.reject(new Error("NOSCRIPT"))), { ok: false, reason: "NOSCRIPT" });
});

test("a call that throws at once gives its message as the reason", async () => {
  const attempt = await tryRedis(ready, 1000, () => {
    throw new Error("bad call");
  });
  assert.deepEqual(attempt, { ok: false, reason: "bad call" });
});

test("no reply within the timeout: the reason says so, and the command's later failure is handled", async () => {
  let fail: (e: Error) => void = () => {};
  const started = Date.now();
  const attempt = await tryRedis(ready, 30, () => new Promise((_, reject) => (fail = reject)));
  assert.deepEqual(attempt, { ok: false, reason: "no reply within 30 ms" });
  assert.ok(Date.now() - started < 1000);
  fail(new Error("too late")); // would be an unhandled rejection (and fail this file) if it were not caught
  await new Promise((r) => setTimeout(r, 10));
});
