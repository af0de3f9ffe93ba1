import assert from "node:assert/strict";
import { test } from "node:test";
import { createInboxQueue } from "./inbox-queue.ts";

const tick = () => new Promise((r) => setImmediate(r));

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { opened, open };
}

test("requests run one at a time, in order", async () => {
  const order: string[] = [];
  const first = gate();
  const q = createInboxQueue({ maxQueued: 10, ready: async () => {} });
  q.push(async () => {
    order.push("a:start");
    await first.opened;
    order.push("a:end");
  });
  q.push(async () => void order.push("b"));
  await tick();
  assert.deepEqual(order, ["a:start"]);
  first.open();
  while (q.size > 0) await tick();
  assert.deepEqual(order, ["a:start", "a:end", "b"]);
});

test("past maxQueued a request is refused; a failing request does not stop the next", async () => {
  const q = createInboxQueue({ maxQueued: 2, ready: async () => {} });
  const ran: number[] = [];
  assert.equal(q.push(async () => Promise.reject(new Error("store down"))), true);
  assert.equal(q.push(async () => void ran.push(2)), true);
  assert.equal(q.push(async () => void ran.push(3)), false);
  while (q.size > 0) await tick();
  assert.deepEqual(ran, [2]);
});

test("closing drops every waiting request unrun; the running one finishes", async () => {
  const running = gate();
  let dropped = 0;
  const ran: number[] = [];
  const q = createInboxQueue({ maxQueued: 100, ready: async () => {} });
  q.push(async () => {
    await running.opened;
    ran.push(0);
  });
  for (let i = 1; i < 100; i++) q.push(async () => void ran.push(i), () => void dropped++);
  await tick();
  q.close();
  assert.equal(q.push(async () => void ran.push(100)), false, "a closed queue takes nothing");
  running.open();
  while (q.size > 0) await tick();
  assert.deepEqual(ran, [0]);
  assert.equal(dropped, 99);
});

test("the next request waits until the socket is ready for another reply", async () => {
  const writable = gate();
  let readyCalls = 0;
  const ran: string[] = [];
  const q = createInboxQueue({
    maxQueued: 10,
    ready: () => (++readyCalls === 1 ? Promise.resolve() : writable.opened),
  });
  q.push(async () => void ran.push("a"));
  q.push(async () => void ran.push("b"));
  for (let i = 0; i < 5; i++) await tick();
  assert.deepEqual(ran, ["a"]);
  writable.open();
  while (q.size > 0) await tick();
  assert.deepEqual(ran, ["a", "b"]);
});
