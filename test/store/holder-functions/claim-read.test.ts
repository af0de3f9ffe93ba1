// push_hub_claim and push_hub_read, tested as SQL: windows, skips, grants and locks.
import assert from "node:assert/strict";
import { test } from "node:test";
import type pg from "pg";
import { headOf, HUB_A, HUB_B, streamOf, uidRows, useHolderDb } from "../../support/holder-rows.ts";

const h = useHolderDb("claimread", { alive: [HUB_A, HUB_B] });

type Window = { id: string; seq: string; b: number }[] | null;
const seqsOf = (w: Window) => (w ?? []).map((m) => Number(m.seq));

interface ClaimRow {
  uid: string;
  lease: number;
  attempts: number;
  retryUpto: number;
  ackedSeq: number;
  lastSeq: number;
  messages: Window;
}

async function claim(c: pg.Client, o: { heads?: number; messages?: number; window?: number; windowBytes?: number } = {}): Promise<ClaimRow[]> {
  const { rows } = await c.query<ClaimRow>(
    `SELECT uid, lease::int AS lease, attempts, retry_upto::int AS "retryUpto", acked_seq::int AS "ackedSeq",
            last_seq::int AS "lastSeq", messages
     FROM push_hub_claim($1, $2, $3, $4, $5::uuid) ORDER BY uid`,
    [o.heads ?? 50, o.messages ?? 1000, o.window ?? 16, o.windowBytes ?? 1 << 20, HUB_A],
  );
  return rows;
}

interface ReadRow {
  uid: string;
  lastSeq: number;
  cleared: number;
  skipTo: number | null;
  skipId: number | null;
  messages: Window;
}

async function read(from: { uid: string; afterId: number; afterSeq: number }[], window = 16, windowBytes = 1 << 20): Promise<ReadRow[]> {
  const { rows } = await h.c.query<ReadRow>(
    `SELECT uid, last_seq::int AS "lastSeq", cleared::int AS cleared, skip_to::int AS "skipTo", skip_id::float8 AS "skipId", messages
     FROM push_hub_read($1::text[], $2::bigint[], $3::bigint[], $4, $5) ORDER BY uid`,
    [from.map((f) => f.uid), from.map((f) => f.afterId), from.map((f) => f.afterSeq), window, windowBytes],
  );
  return rows;
}

test("a claim takes due unheld heads only, granting each with the next lease and its window from the acked position", async () => {
  await uidRows(h.c, "due", { messages: 4, due: "now", lease: 3, attempts: 1, ackedSeq: 1, sentSeq: 2 });
  await uidRows(h.c, "parked", { messages: 2, parked: true });
  await uidRows(h.c, "idle", { messages: 2, ackedSeq: 2 });
  await uidRows(h.c, "held", { messages: 2, holder: HUB_B, lease: 1 });
  await uidRows(h.c, "backoff", { messages: 2, due: "later" });
  const rows = await claim(h.c);
  assert.deepEqual(
    rows.map((r) => ({ ...r, messages: seqsOf(r.messages) })),
    [{ uid: "due", lease: 4, attempts: 2, retryUpto: 2, ackedSeq: 1, lastSeq: 4, messages: [2, 3, 4] }],
  );
  const head = await headOf(h.c, "due");
  assert.deepEqual([head?.holder, head?.lease, head?.dueInMs, head?.parked], [HUB_A, 4, null, false]);
  assert.equal((await headOf(h.c, "held"))?.holder, HUB_B);
  assert.ok((await headOf(h.c, "backoff"))!.dueInMs! > 0, "still backing off");
  assert.equal((await headOf(h.c, "parked"))?.parked, true);
});

test("a claim passes over heads another transaction holds, and takes them once they are free", async () => {
  await uidRows(h.c, "locked", { messages: 1, due: "now" });
  await uidRows(h.c, "free", { messages: 1, due: "now" });
  const other = await h.connect();
  await other.query("BEGIN");
  await other.query("SELECT 1 FROM uid_heads WHERE uid = 'locked' FOR UPDATE");
  try {
    assert.deepEqual((await claim(h.c)).map((r) => r.uid), ["free"]);
  } finally {
    await other.query("COMMIT");
  }
  assert.deepEqual((await claim(h.c)).map((r) => r.uid), ["locked"]);
});

test("a due head with nothing deliverable left skips its position to last_seq and goes idle", async () => {
  const ids = await uidRows(h.c, "u", { messages: 4, expired: [3, 4], due: "now", lease: 2, attempts: 3, ackedSeq: 2, sentSeq: 2 });
  const [row] = await claim(h.c);
  assert.deepEqual([row?.uid, row?.lease, row?.messages], ["u", 3, null]);
  const head = await headOf(h.c, "u");
  assert.deepEqual(
    [head?.holder, head?.dueInMs, head?.parked, head?.attempts],
    [null, null, false, 0],
    "not held, not scheduled, not parked: idle",
  );
  assert.deepEqual(await streamOf(h.c, "u"), { ackedSeq: 4, ackedId: ids[3], sentSeq: 4 });
});

test("a claim takes heads in due order while the windows taken before each are under p_messages", async () => {
  for (const [uid, ageSeconds] of [["first", 30], ["second", 20], ["third", 10]] as const) {
    await uidRows(h.c, uid, { messages: 6, due: "now" });
    await h.c.query("UPDATE uid_heads SET due_at = now() - make_interval(secs => $2) WHERE uid = $1", [uid, ageSeconds]);
  }
  const other = await h.connect();
  const taken = async (o: Parameters<typeof claim>[1]) => {
    await other.query("BEGIN");
    try {
      return (await claim(other, o)).map((r) => r.uid);
    } finally {
      await other.query("ROLLBACK");
    }
  };
  assert.deepEqual(await taken({ messages: 6 }), ["first"]);
  assert.deepEqual(await taken({ messages: 7 }), ["first", "second"], "the head whose window crosses p_messages is taken too");
  assert.deepEqual(await taken({ messages: 1 }), ["first"], "the first head is always taken");
  assert.deepEqual(await taken({ heads: 2 }), ["first", "second"], "at most p_heads heads");
  assert.deepEqual(await taken({ messages: 12, window: 2 }), ["first", "second", "third"], "a head counts a window, not its backlog");
});

test("a claimed window holds at most p_window messages and stops at p_window_bytes", async () => {
  await uidRows(h.c, "count", { messages: 5, due: "now" });
  await uidRows(h.c, "bytes", { messages: 3, bytes: [60, 60, 60], due: "now" });
  const rows = await claim(h.c, { window: 2, windowBytes: 100 });
  assert.deepEqual(
    rows.map((r) => [r.uid, seqsOf(r.messages)]),
    [
      ["bytes", [1, 2]],
      ["count", [1, 2]],
    ],
  );
});

test("a read returns the window after the given position, with last_seq and the unread stamp", async () => {
  const ids = await uidRows(h.c, "u", { messages: 5, holder: HUB_A, lease: 1 });
  await h.c.query("INSERT INTO uid_inbox (uid, cleared) VALUES ('u', 2)");
  const [row] = await read([{ uid: "u", afterId: ids[1]!, afterSeq: 2 }]);
  assert.deepEqual(
    { ...row, messages: seqsOf(row!.messages) },
    { uid: "u", lastSeq: 5, cleared: 2, skipTo: null, skipId: null, messages: [3, 4, 5] },
  );
  assert.deepEqual(row?.messages?.map((m) => Number(m.id)), ids.slice(2));
});

test("a read leaves expired messages out of the window", async () => {
  await uidRows(h.c, "u", { messages: 4, expired: [2], holder: HUB_A, lease: 1 });
  const [row] = await read([{ uid: "u", afterId: 0, afterSeq: 0 }]);
  assert.deepEqual(seqsOf(row!.messages), [1, 3, 4]);
  assert.equal(row?.skipTo, null);
});

test("a read that finds nothing deliverable up to last_seq skips to it, with the uid's newest id", async () => {
  const ids = await uidRows(h.c, "u", { messages: 4, expired: [3, 4], holder: HUB_A, lease: 1 });
  const [row] = await read([{ uid: "u", afterId: ids[1]!, afterSeq: 2 }]);
  assert.deepEqual([row?.messages, row?.skipTo, row?.skipId, row?.lastSeq], [null, 4, ids[3], 4]);
});

test("a read of a uid with nothing after the position skips to last_seq with no id", async () => {
  const ids = await uidRows(h.c, "u", { messages: 2, holder: HUB_A, lease: 1 });
  const [row] = await read([{ uid: "u", afterId: ids[1]!, afterSeq: 2 }]);
  assert.deepEqual([row?.messages, row?.skipTo, row?.skipId], [null, 2, null]);
});

test("a read's window holds at most p_window messages", async () => {
  await uidRows(h.c, "u", { messages: 5, holder: HUB_A, lease: 1 });
  const [row] = await read([{ uid: "u", afterId: 0, afterSeq: 0 }], 2);
  assert.deepEqual(seqsOf(row!.messages), [1, 2]);
});

test("a read's window takes messages while the bytes before each are under p_window_bytes", async () => {
  await uidRows(h.c, "crossing", { messages: 3, bytes: [60, 60, 60], holder: HUB_A, lease: 1 });
  await uidRows(h.c, "big-first", { messages: 2, bytes: [150, 10], holder: HUB_A, lease: 1 });
  const rows = await read(
    [
      { uid: "big-first", afterId: 0, afterSeq: 0 },
      { uid: "crossing", afterId: 0, afterSeq: 0 },
    ],
    16,
    100,
  );
  assert.deepEqual(
    rows.map((r) => [r.uid, seqsOf(r.messages)]),
    [
      ["big-first", [1]],
      ["crossing", [1, 2]],
    ],
    "the first message always; the one that crosses the cap too; none after it",
  );
});

test("a read answers every uid asked for in one call", async () => {
  const a = await uidRows(h.c, "a", { messages: 2, holder: HUB_A, lease: 1 });
  await uidRows(h.c, "b", { messages: 1, expired: [1], holder: HUB_A, lease: 1 });
  const rows = await read([
    { uid: "a", afterId: a[0]!, afterSeq: 1 },
    { uid: "b", afterId: 0, afterSeq: 0 },
  ]);
  assert.deepEqual(
    rows.map((r) => [r.uid, seqsOf(r.messages), r.skipTo]),
    [
      ["a", [2], null],
      ["b", [], 1],
    ],
  );
});
