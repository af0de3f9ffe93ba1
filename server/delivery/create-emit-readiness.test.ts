import assert from "node:assert/strict";
import { test } from "node:test";
import { createEmitReadiness } from "./create-emit-readiness.ts";

const setup = (count: number) => {
  const state = { clients: true, count, t: 0, settledCalls: 0 };
  const readiness = createEmitReadiness({
    clientsReady: () => state.clients,
    serverCount: () => Promise.resolve(state.count),
    settleMs: 3000,
    sampleMs: 100,
    onSettled: () => state.settledCalls++,
    now: () => state.t,
  });
  const tick = async (ms: number) => {
    state.t += ms;
    const r = readiness.ready();
    await Promise.resolve();
    await Promise.resolve();
    return r;
  };
  return { state, readiness, tick };
};

test("after a reconnect, emits wait until as many instances are subscribed as before the outage", async () => {
  const { state, tick } = setup(3);
  assert.equal(await tick(0), true); // learns the healthy count: 3
  state.clients = false;
  assert.equal(await tick(1000), false);
  state.clients = true;
  state.count = 1; // only this instance has re-subscribed
  assert.equal(await tick(100), false);
  state.count = 2;
  assert.equal(await tick(200), false);
  state.count = 3;
  await tick(200); // the sample that sees 3 settles it
  assert.equal(await tick(1), true);
  assert.equal(state.settledCalls, 1);
});

test("an instance that never comes back holds emits for settleMs after the reconnect, not longer", async () => {
  const { state, tick } = setup(2);
  await tick(0);
  state.clients = false;
  await tick(10_000); // the outage itself does not count towards the wait
  state.clients = true;
  state.count = 1;
  assert.equal(await tick(100), false);
  assert.equal(await tick(2800), false);
  assert.equal(await tick(200), true);
});

test("a lone instance resumes as soon as its own clients are back", async () => {
  const { state, tick } = setup(1);
  await tick(0);
  state.clients = false;
  assert.equal(await tick(500), false);
  state.clients = true;
  assert.equal(await tick(100), true);
});
