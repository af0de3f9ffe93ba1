// push_hub_wake, tested as SQL: a socket of each uid connected to an instance (or the periodic check).
import assert from "node:assert/strict";
import { test } from "node:test";
import { backendPid, blocked, headOf, HUB_A, HUB_B, HUB_C, HUB_DEAD, streamOf, uidRows, useHolderDb, wake } from "../../support/holder-rows.ts";

const h = useHolderDb("wake", { alive: [HUB_A, HUB_B, HUB_C], dead: [HUB_DEAD] });

test("a connect grants an unheld uid to the connecting instance: idle, parked, due or backing off", async () => {
  const common = { messages: 3, lease: 4, wakeSeq: 7, failures: 2, attempts: 1, ackedSeq: 1, sentSeq: 1 };
  await uidRows(h.c, "idle", { ...common, ackedSeq: 3, sentSeq: 3 });
  await uidRows(h.c, "parked", { ...common, parked: true });
  await uidRows(h.c, "due", { ...common, due: "now", sentSeq: 2 });
  await uidRows(h.c, "backoff", { ...common, due: "later", sentSeq: 2 });
  const rows = await wake(h.c, ["idle", "parked", "due", "backoff"], HUB_A);
  assert.deepEqual(
    rows.map((r) => [r.uid, r.outcome, r.holder, r.lease, r.wakeSeq, r.attempts, r.failures]),
    [
      ["backoff", "granted", HUB_A, 5, 8, 2, 0],
      ["due", "granted", HUB_A, 5, 8, 2, 0],
      ["idle", "granted", HUB_A, 5, 8, 0, 0],
      ["parked", "granted", HUB_A, 5, 8, 0, 0],
    ],
    "a new lease; attempts count up only where something was sent and not acked",
  );
  for (const uid of ["idle", "parked", "due", "backoff"]) {
    const head = await headOf(h.c, uid);
    assert.deepEqual(
      { holder: head?.holder, lease: head?.lease, parked: head?.parked, due: head?.dueInMs, wakeSeq: head?.wakeSeq, failures: head?.failures },
      { holder: HUB_A, lease: 5, parked: false, due: null, wakeSeq: 8, failures: 0 },
      uid,
    );
  }
});

test("a connect takes a dead holder's uid, counting everything up to last_seq as possibly sent", async () => {
  await uidRows(h.c, "u", { messages: 5, holder: HUB_DEAD, lease: 4, attempts: 1, ackedSeq: 2, sentSeq: 2 });
  const [row] = await wake(h.c, ["u"], HUB_A);
  assert.deepEqual(
    [row?.outcome, row?.holder, row?.lease, row?.attempts, row?.ackedSeq, row?.sentSeq, row?.lastSeq],
    ["granted", HUB_A, 5, 2, 2, 5, 5],
  );
  assert.equal((await streamOf(h.c, "u"))?.sentSeq, 5);
  assert.equal((await headOf(h.c, "u"))?.holder, HUB_A);
});

test("a uid another live instance holds stays with it: its wake_seq moves and its holder is returned", async () => {
  await uidRows(h.c, "u", { messages: 3, holder: HUB_B, lease: 4, wakeSeq: 7, ackedSeq: 1, sentSeq: 3 });
  const [row] = await wake(h.c, ["u"], HUB_A);
  assert.deepEqual([row?.outcome, row?.holder, row?.lease, row?.wakeSeq], ["held", HUB_B, 4, 8]);
  const head = await headOf(h.c, "u");
  assert.deepEqual([head?.holder, head?.lease, head?.wakeSeq], [HUB_B, 4, 8]);
  assert.equal((await streamOf(h.c, "u"))?.sentSeq, 3, "a live holder's position is not touched");
});

test("a uid the connecting instance already holds comes back as mine and is not written", async () => {
  await uidRows(h.c, "u", { messages: 3, holder: HUB_A, lease: 4, wakeSeq: 7, ackedSeq: 1, sentSeq: 3 });
  const before = await headOf(h.c, "u");
  const [row] = await wake(h.c, ["u"], HUB_A);
  assert.deepEqual([row?.outcome, row?.holder, row?.lease, row?.wakeSeq, row?.ackedSeq, row?.lastSeq], ["mine", HUB_A, 4, 7, 1, 3]);
  assert.deepEqual(await headOf(h.c, "u"), before);
});

// The engine opens a session from a "mine" row when it has none for the uid (wake-heads.ts gives it
// as a grant): attempts number its redeliveries, failures grow its next back-off.
test("a uid the connecting instance already holds comes back with its head's attempts and failures", async () => {
  await uidRows(h.c, "u", { messages: 3, holder: HUB_A, lease: 4, attempts: 2, failures: 3, ackedSeq: 1, sentSeq: 3 });
  const [row] = await wake(h.c, ["u"], HUB_A);
  assert.equal(row?.outcome, "mine");
  assert.deepEqual([row?.attempts, row?.failures], [2, 3]);
});

test("a uid that never had a message gets its head and stream rows and is granted", async () => {
  const [row] = await wake(h.c, ["new"], HUB_A);
  assert.deepEqual([row?.uid, row?.outcome, row?.holder, row?.lease, row?.lastSeq, row?.ackedSeq], ["new", "granted", HUB_A, 1, 0, 0]);
  assert.deepEqual(await headOf(h.c, "new"), {
    lastSeq: 0,
    holder: HUB_A,
    lease: 1,
    parked: false,
    dueInMs: null,
    wakeSeq: 1,
    attempts: 0,
    failures: 0,
  });
  assert.deepEqual(await streamOf(h.c, "new"), { ackedSeq: 0, ackedId: 0, sentSeq: 0 });
});

test("the periodic check grants unheld uids only: held ones, its own and unknown uids are neither returned nor written", async () => {
  await uidRows(h.c, "parked", { messages: 2, parked: true, lease: 1 });
  await uidRows(h.c, "orphan", { messages: 2, holder: HUB_DEAD, lease: 3 });
  await uidRows(h.c, "theirs", { messages: 2, holder: HUB_B, lease: 2, wakeSeq: 5 });
  await uidRows(h.c, "mine", { messages: 2, holder: HUB_A, lease: 2, wakeSeq: 5 });
  const before = { theirs: await headOf(h.c, "theirs"), mine: await headOf(h.c, "mine") };
  const rows = await wake(h.c, ["mine", "orphan", "parked", "theirs", "unknown"], HUB_A, true);
  assert.deepEqual(
    rows.map((r) => [r.uid, r.outcome, r.holder, r.lease]),
    [
      ["orphan", "granted", HUB_A, 4],
      ["parked", "granted", HUB_A, 2],
    ],
  );
  assert.deepEqual(await headOf(h.c, "theirs"), before.theirs);
  assert.deepEqual(await headOf(h.c, "mine"), before.mine);
  assert.equal(await headOf(h.c, "unknown"), undefined);
  assert.equal(await streamOf(h.c, "unknown"), undefined);
});

// Two devices of a uid whose holder died reconnect to two instances at once: one connect grants it,
// the other waits for that head lock and must then find the uid held by a live instance.
test("a connect that waited for another connect's grant of a dead holder's uid finds it held, not granted", async () => {
  await uidRows(h.c, "u", { messages: 3, holder: HUB_DEAD, lease: 4, ackedSeq: 1, sentSeq: 1 });
  const first = await h.connect();
  const second = await h.connect();
  const secondPid = await backendPid(second);
  await first.query("BEGIN");
  const [granted] = await wake(first, ["u"], HUB_B);
  assert.deepEqual([granted?.outcome, granted?.lease], ["granted", 5]);
  const waiting = wake(second, ["u"], HUB_C);
  try {
    await blocked(h.c, secondPid);
  } finally {
    await first.query("COMMIT");
  }
  const [row] = await waiting;
  assert.deepEqual([row?.outcome, row?.holder, row?.lease], ["held", HUB_B, 5]);
  const head = await headOf(h.c, "u");
  assert.deepEqual([head?.holder, head?.lease], [HUB_B, 5]);
});
