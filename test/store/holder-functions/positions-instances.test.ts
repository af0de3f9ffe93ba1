// push_hub_record, push_hub_heartbeat, push_hub_reap, push_hub_held and push_hub_release_all, tested as SQL.
import assert from "node:assert/strict";
import { test } from "node:test";
import { headOf, HUB_A, HUB_B, HUB_DEAD, instance, receiptsOf, record, streamOf, uidRows, useHolderDb } from "../../support/holder-rows.ts";

const h = useHolderDb("positions", { alive: [HUB_A, HUB_B], dead: [HUB_DEAD] });

const aliveUntilInMs = async (id: string) => {
  const { rows } = await h.c.query<{ ms: number | null }>(
    "SELECT (extract(epoch FROM alive_until - now()) * 1000)::int AS ms FROM hub_instances WHERE id = $1",
    [id],
  );
  return rows[0]?.ms ?? null;
};

test("a record moves the position forward and writes the receipt of the range acked since the last one", async () => {
  const ids = await uidRows(h.c, "u", { messages: 4, holder: HUB_A, lease: 1, ackedSeq: 1, sentSeq: 1 });
  const n = await record(h.c, [{ uid: "u", firstSeq: 2, ackedSeq: 3, ackedId: ids[2]!, sentSeq: 4, attempt: 2, retryUpto: 3 }]);
  assert.equal(n, 1, "one receipt");
  assert.deepEqual(await streamOf(h.c, "u"), { ackedSeq: 3, ackedId: ids[2], sentSeq: 4 });
  assert.deepEqual(await receiptsOf(h.c, "u"), [{ firstSeq: 2, lastSeq: 3, lastId: ids[2], attempt: 2, retryUpto: 3 }]);
});

test("a record never moves a position back: an older one arriving late leaves the newer in place", async () => {
  const ids = await uidRows(h.c, "u", { messages: 4, holder: HUB_A, lease: 1, ackedSeq: 3, sentSeq: 4 });
  await record(h.c, [{ uid: "u", firstSeq: 4, ackedSeq: 1, ackedId: ids[0]!, sentSeq: 2 }]);
  assert.deepEqual(await streamOf(h.c, "u"), { ackedSeq: 3, ackedId: ids[2], sentSeq: 4 });
});

test("a record's sent position is at least its acked one", async () => {
  const ids = await uidRows(h.c, "u", { messages: 3, holder: HUB_A, lease: 1 });
  await record(h.c, [{ uid: "u", firstSeq: 1, ackedSeq: 2, ackedId: ids[1]!, sentSeq: 0 }]);
  assert.deepEqual(await streamOf(h.c, "u"), { ackedSeq: 2, ackedId: ids[1], sentSeq: 2 });
});

test("a record with nothing acked since the last one writes no receipt, and a repeated receipt is kept once", async () => {
  const ids = await uidRows(h.c, "u", { messages: 3, holder: HUB_A, lease: 1, ackedSeq: 2 });
  assert.equal(await record(h.c, [{ uid: "u", firstSeq: 3, ackedSeq: 2, ackedId: ids[1]!, sentSeq: 3 }]), 0);
  assert.deepEqual(await receiptsOf(h.c, "u"), []);
  const again = { uid: "u", firstSeq: 3, ackedSeq: 3, ackedId: ids[2]!, sentSeq: 3 };
  assert.equal(await record(h.c, [again]), 1);
  assert.equal(await record(h.c, [again]), 0);
  assert.equal((await receiptsOf(h.c, "u")).length, 1);
});

test("a record leaves out receipts for a partition being dropped, and still moves the position", async () => {
  await h.c.query("SELECT push_hub_ensure_partition(1)");
  await h.c.query("UPDATE message_partitions SET inbox_cleared_at = now() WHERE epoch = 0");
  try {
    await uidRows(h.c, "old", { holder: HUB_A, lease: 1 });
    await uidRows(h.c, "live", { holder: HUB_A, lease: 1 });
    const span = 2 ** 32;
    const n = await record(h.c, [
      { uid: "live", firstSeq: 1, ackedSeq: 2, ackedId: span + 7, sentSeq: 2 },
      { uid: "old", firstSeq: 1, ackedSeq: 2, ackedId: 7, sentSeq: 2 },
    ]);
    assert.equal(n, 1);
    assert.deepEqual(await receiptsOf(h.c, "old"), []);
    assert.deepEqual((await receiptsOf(h.c, "live")).map((r) => r.lastId), [span + 7]);
    assert.deepEqual(await streamOf(h.c, "old"), { ackedSeq: 2, ackedId: 7, sentSeq: 2 });
  } finally {
    await h.c.query("UPDATE message_partitions SET inbox_cleared_at = NULL WHERE epoch = 0");
  }
});

test("a record commits without waiting for the WAL flush, for its own transaction only", async () => {
  await uidRows(h.c, "u", { holder: HUB_A, lease: 1 });
  await h.c.query("BEGIN");
  await record(h.c, [{ uid: "u", firstSeq: 1, ackedSeq: 0, ackedId: 0, sentSeq: 0 }]);
  const inside = (await h.c.query<{ s: string }>("SELECT current_setting('synchronous_commit') AS s")).rows[0]?.s;
  await h.c.query("COMMIT");
  const outside = (await h.c.query<{ s: string }>("SELECT current_setting('synchronous_commit') AS s")).rows[0]?.s;
  assert.deepEqual([inside, outside], ["off", "on"]);
});

test("a heartbeat creates or renews its instance's row and answers how long it is alive", async () => {
  const { rows } = await h.c.query<{ ms: number }>("SELECT push_hub_heartbeat($1, 5000) AS ms", [HUB_DEAD]);
  assert.ok(rows[0]!.ms > 4000 && rows[0]!.ms <= 5000, `alive for ${rows[0]!.ms} ms`);
  assert.ok((await aliveUntilInMs(HUB_DEAD))! > 4000, "the dead instance lives again");
});

test("a reap frees the heads of dead instances: due now, no holder, everything up to last_seq counted as sent", async () => {
  await uidRows(h.c, "orphan", { messages: 3, holder: HUB_DEAD, lease: 2, ackedSeq: 1, sentSeq: 1 });
  await uidRows(h.c, "live", { messages: 3, holder: HUB_A, lease: 2, ackedSeq: 1, sentSeq: 1 });
  const before = await headOf(h.c, "live");
  const { rows } = await h.c.query<{ n: number }>("SELECT push_hub_reap() AS n");
  assert.equal(rows[0]?.n, 1);
  const orphan = await headOf(h.c, "orphan");
  assert.deepEqual([orphan?.holder, orphan?.parked, orphan?.lease], [null, false, 2]);
  assert.ok(orphan!.dueInMs! <= 0, "due now");
  assert.equal((await streamOf(h.c, "orphan"))?.sentSeq, 3);
  assert.deepEqual(await headOf(h.c, "live"), before);
  assert.equal((await streamOf(h.c, "live"))?.sentSeq, 1);
});

test("a reap forgets instances dead for over an hour once they hold nothing, and keeps the others", async () => {
  const LONG_DEAD = "00000000-0000-4000-8000-0000000000d1";
  const LONG_DEAD_HOLDING = "00000000-0000-4000-8000-0000000000d2";
  await instance(h.c, LONG_DEAD, { alive: false, deadForSeconds: 7200 });
  await instance(h.c, LONG_DEAD_HOLDING, { alive: false, deadForSeconds: 7200 });
  await uidRows(h.c, "u", { messages: 1, holder: LONG_DEAD_HOLDING, lease: 1 });
  await h.c.query("SELECT push_hub_reap()");
  const { rows } = await h.c.query<{ id: string }>("SELECT id::text AS id FROM hub_instances ORDER BY id");
  assert.deepEqual(
    rows.map((r) => r.id),
    [HUB_A, HUB_B, HUB_DEAD].sort(),
  );
  assert.equal((await headOf(h.c, "u"))?.holder, null);
});

test("a reap with no dead holder frees nothing", async () => {
  await uidRows(h.c, "u", { messages: 1, holder: HUB_A, lease: 1 });
  const { rows } = await h.c.query<{ n: number }>("SELECT push_hub_reap() AS n");
  assert.equal(rows[0]?.n, 0);
  assert.equal((await headOf(h.c, "u"))?.holder, HUB_A);
});

interface HeldRow {
  uid: string;
  lease: number;
  wakeSeq: number;
  attempts: number;
  failures: number;
  ackedSeq: number;
  sentSeq: number;
  lastSeq: number;
  cleared: number;
}
const held = async (uids: string[] | null) =>
  (
    await h.c.query<HeldRow>(
      `SELECT uid, lease::int AS lease, wake_seq::int AS "wakeSeq", attempts, failures, acked_seq::int AS "ackedSeq",
              sent_seq::int AS "sentSeq", last_seq::int AS "lastSeq", cleared::int AS cleared
       FROM push_hub_held($1::uuid, $2::text[]) ORDER BY uid`,
      [HUB_A, uids],
    )
  ).rows;

test("push_hub_held answers, of the uids asked for, those the instance holds, as grants", async () => {
  await uidRows(h.c, "mine", { messages: 3, holder: HUB_A, lease: 4, wakeSeq: 6, attempts: 2, failures: 1, ackedSeq: 3 });
  await uidRows(h.c, "theirs", { messages: 3, holder: HUB_B, lease: 1 });
  await uidRows(h.c, "nobody", { messages: 3, parked: true });
  await h.c.query("INSERT INTO uid_inbox (uid, cleared) VALUES ('mine', 1)");
  assert.deepEqual(await held(["mine", "nobody", "theirs"]), [
    { uid: "mine", lease: 4, wakeSeq: 6, attempts: 2, failures: 1, ackedSeq: 3, sentSeq: 3, lastSeq: 3, cleared: 1 },
  ]);
});

test("push_hub_held with no uids answers every uid the instance holds whose head is beyond its position", async () => {
  await uidRows(h.c, "behind", { messages: 3, holder: HUB_A, lease: 1, ackedSeq: 1 });
  await uidRows(h.c, "caught-up", { messages: 2, holder: HUB_A, lease: 1, ackedSeq: 2 });
  await uidRows(h.c, "theirs", { messages: 3, holder: HUB_B, lease: 1 });
  assert.deepEqual(
    (await held(null)).map((r) => r.uid),
    ["behind"],
  );
});

test("release_all gives up every uid the instance holds (due now when pending, idle otherwise) and ends its life", async () => {
  await uidRows(h.c, "pending", { messages: 3, holder: HUB_A, lease: 1, ackedSeq: 1 });
  await uidRows(h.c, "caught-up", { messages: 2, holder: HUB_A, lease: 1, ackedSeq: 2 });
  await uidRows(h.c, "theirs", { messages: 3, holder: HUB_B, lease: 1 });
  const before = await headOf(h.c, "theirs");
  const { rows } = await h.c.query<{ n: number }>("SELECT push_hub_release_all($1) AS n", [HUB_A]);
  assert.equal(rows[0]?.n, 2);
  const pending = await headOf(h.c, "pending");
  assert.deepEqual([pending?.holder, pending?.parked, pending?.lease], [null, false, 1]);
  assert.ok(pending!.dueInMs! <= 0, "due now");
  const caughtUp = await headOf(h.c, "caught-up");
  assert.deepEqual([caughtUp?.holder, caughtUp?.parked, caughtUp?.dueInMs], [null, false, null]);
  assert.deepEqual(await headOf(h.c, "theirs"), before);
  assert.ok((await aliveUntilInMs(HUB_A))! <= 0, "no longer alive");
  assert.ok((await aliveUntilInMs(HUB_B))! > 0);
});
