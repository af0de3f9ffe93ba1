// push_hub_end, tested as SQL: heads and positions set up with INSERTs, one call, the rows checked.
import assert from "node:assert/strict";
import { test } from "node:test";
import { endHoldings, headOf, HUB_A, HUB_B, receiptsOf, streamOf, uidRows, useHolderDb, type EndArgs } from "../../support/holder-rows.ts";

const h = useHolderDb("end", { alive: [HUB_A, HUB_B] });

/** A uid held by HUB_A under lease 4 (granted at wake_seq 7): three messages, one acked, all sent. */
const heldUid = (uid: string, extra: Parameters<typeof uidRows>[2] = {}) =>
  uidRows(h.c, uid, { messages: 3, holder: HUB_A, lease: 4, wakeSeq: 7, attempts: 2, failures: 1, ackedSeq: 1, sentSeq: 3, ...extra });

const endOf = (uid: string, ids: number[], ackedSeq: number, e: Partial<EndArgs> = {}): EndArgs => ({
  uid,
  lease: 4,
  end: "release",
  wakeSeq: 7,
  firstSeq: 2,
  ackedSeq,
  ackedId: ackedSeq > 0 ? ids[ackedSeq - 1]! : 0,
  sentSeq: 3,
  ...e,
});

test("a release with everything acked leaves the uid idle: no holder, not parked, nothing scheduled", async () => {
  const ids = await heldUid("u");
  const rows = await endHoldings(h.c, HUB_A, [endOf("u", ids, 3)]);
  assert.deepEqual(rows, [{ uid: "u", state: "idle", lease: 4, lastSeq: 3 }]);
  const head = await headOf(h.c, "u");
  assert.deepEqual(
    { holder: head?.holder, lease: head?.lease, parked: head?.parked, due: head?.dueInMs, attempts: head?.attempts },
    { holder: null, lease: 4, parked: false, due: null, attempts: 0 },
  );
  assert.deepEqual(await streamOf(h.c, "u"), { ackedSeq: 3, ackedId: ids[2], sentSeq: 3 });
});

test("a release with messages pending parks the uid and keeps its attempts", async () => {
  const ids = await heldUid("u");
  const rows = await endHoldings(h.c, HUB_A, [endOf("u", ids, 2)]);
  assert.equal(rows[0]?.state, "parked");
  const head = await headOf(h.c, "u");
  assert.deepEqual(
    { holder: head?.holder, parked: head?.parked, due: head?.dueInMs, attempts: head?.attempts },
    { holder: null, parked: true, due: null, attempts: 2 },
  );
  assert.equal((await streamOf(h.c, "u"))?.ackedSeq, 2);
});

test("a release after a connect moved wake_seq since the grant is refused: the uid is due now", async () => {
  const ids = await heldUid("pending", { wakeSeq: 8 });
  const ids2 = await heldUid("caught-up", { wakeSeq: 8 });
  const rows = await endHoldings(h.c, HUB_A, [endOf("caught-up", ids2, 3), endOf("pending", ids, 1)]);
  assert.deepEqual(
    rows.map((r) => [r.uid, r.state]),
    [
      ["caught-up", "due"],
      ["pending", "due"],
    ],
  );
  for (const uid of ["caught-up", "pending"]) {
    const head = await headOf(h.c, uid);
    assert.equal(head?.holder, null);
    assert.equal(head?.parked, false, `${uid} is not parked`);
    assert.ok(head?.dueInMs !== null && head!.dueInMs <= 0, `${uid} is due now`);
  }
});

test("a backoff makes the uid due after the delay, with the failures given", async () => {
  const ids = await heldUid("u");
  const rows = await endHoldings(h.c, HUB_A, [endOf("u", ids, 1, { end: "backoff", delayMs: 30_000, failures: 3 })]);
  assert.deepEqual(rows, [{ uid: "u", state: "backoff", lease: 4, lastSeq: 3 }]);
  const head = await headOf(h.c, "u");
  assert.equal(head?.holder, null);
  assert.equal(head?.parked, false);
  assert.equal(head?.failures, 3);
  assert.ok(head!.dueInMs! > 20_000 && head!.dueInMs! <= 30_000, `due in ${head?.dueInMs} ms, about 30 s`);
});

test("a handback makes the uid due now", async () => {
  const ids = await heldUid("u");
  const rows = await endHoldings(h.c, HUB_A, [endOf("u", ids, 1, { end: "handback", failures: 1 })]);
  assert.deepEqual(rows, [{ uid: "u", state: "handed_back", lease: 4, lastSeq: 3 }]);
  const head = await headOf(h.c, "u");
  assert.equal(head?.holder, null);
  assert.equal(head?.parked, false);
  assert.ok(head!.dueInMs! <= 0, "due now");
});

test("a transfer makes the target instance the holder under the next lease, which it returns", async () => {
  const ids = await heldUid("u");
  const rows = await endHoldings(h.c, HUB_A, [endOf("u", ids, 2, { end: "transfer", to: HUB_B, failures: 1 })]);
  assert.deepEqual(rows, [{ uid: "u", state: "transferred", lease: 5, lastSeq: 3 }]);
  const head = await headOf(h.c, "u");
  assert.deepEqual(
    { holder: head?.holder, lease: head?.lease, parked: head?.parked, due: head?.dueInMs, failures: head?.failures },
    { holder: HUB_B, lease: 5, parked: false, due: null, failures: 1 },
  );
  assert.equal((await streamOf(h.c, "u"))?.ackedSeq, 2);
});

test("an end under a stale lease is lost: the head stays as it was, the position still moves forward", async () => {
  const ids = await heldUid("u", { lease: 5 });
  const before = await headOf(h.c, "u");
  const rows = await endHoldings(h.c, HUB_A, [endOf("u", ids, 2, { end: "transfer", to: HUB_B })]);
  assert.deepEqual(rows, [{ uid: "u", state: "lost", lease: 5, lastSeq: 3 }]);
  assert.deepEqual(await headOf(h.c, "u"), before);
  assert.equal((await streamOf(h.c, "u"))?.ackedSeq, 2);
});

test("an end by an instance that does not hold the uid is lost and changes nothing but positions", async () => {
  const ids = await heldUid("u", { holder: HUB_B });
  const before = await headOf(h.c, "u");
  const rows = await endHoldings(h.c, HUB_A, [endOf("u", ids, 3)]);
  assert.deepEqual(rows, [{ uid: "u", state: "lost", lease: 4, lastSeq: 3 }]);
  assert.deepEqual(await headOf(h.c, "u"), before);
  assert.equal((await streamOf(h.c, "u"))?.ackedSeq, 3);
});

test("an end never moves a position back: an older position leaves the newer one in place", async () => {
  const ids = await heldUid("u", { ackedSeq: 3, sentSeq: 3 });
  const rows = await endHoldings(h.c, HUB_A, [endOf("u", ids, 1, { firstSeq: 1, sentSeq: 1 })]);
  assert.equal(rows[0]?.state, "idle", "judged on the stored position, which has everything acked");
  assert.deepEqual(await streamOf(h.c, "u"), { ackedSeq: 3, ackedId: ids[2], sentSeq: 3 });
});

test("an end writes its position with the receipt of the range acked since the last record", async () => {
  const ids = await heldUid("u");
  await endHoldings(h.c, HUB_A, [endOf("u", ids, 3, { firstSeq: 2, attempt: 3, retryUpto: 2 })]);
  assert.deepEqual(await receiptsOf(h.c, "u"), [{ firstSeq: 2, lastSeq: 3, lastId: ids[2], attempt: 3, retryUpto: 2 }]);
});

test("an end that acked nothing since the last record writes no receipt", async () => {
  const ids = await heldUid("u");
  await endHoldings(h.c, HUB_A, [endOf("u", ids, 1, { firstSeq: 2 })]);
  assert.deepEqual(await receiptsOf(h.c, "u"), []);
});

test("an end for a uid without a head is lost with no lease", async () => {
  const rows = await endHoldings(h.c, HUB_A, [{ uid: "nobody", lease: 1, end: "release", wakeSeq: 0, firstSeq: 1, ackedSeq: 0, ackedId: 0, sentSeq: 0 }]);
  assert.deepEqual(rows, [{ uid: "nobody", state: "lost", lease: null, lastSeq: null }]);
});

// Holders batch the ends of all their holdings into one call. A transfer names an instance from the
// socket registry (Redis), which may list an instance whose hub_instances row the reaper has deleted.
test("a transfer to an instance that has no row fails no other uid's end in the same call", async () => {
  const ids = { a: await heldUid("a"), b: await heldUid("b") };
  const forgotten = "00000000-0000-4000-8000-0000000000ee";
  const rows = await endHoldings(h.c, HUB_A, [endOf("a", ids.a, 3), endOf("b", ids.b, 3, { end: "transfer", to: forgotten })]);
  assert.equal(rows.find((r) => r.uid === "a")?.state, "idle");
  assert.notEqual((await headOf(h.c, "b"))?.holder, forgotten);
});

test("each uid of one call gets its own outcome", async () => {
  const ids = {
    a: await heldUid("a"),
    b: await heldUid("b", { lease: 9 }),
    c: await heldUid("c"),
  };
  const rows = await endHoldings(h.c, HUB_A, [
    endOf("a", ids.a, 3),
    endOf("b", ids.b, 3),
    endOf("c", ids.c, 1, { end: "backoff", delayMs: 1000, failures: 2 }),
  ]);
  assert.deepEqual(
    rows.map((r) => [r.uid, r.state]),
    [
      ["a", "idle"],
      ["b", "lost"],
      ["c", "backoff"],
    ],
  );
});
