// The accept statement (server/store/accept-statement.ts), run as the hub runs it: its text and values on
// a pg client, heads set up with INSERTs beforehand and the rows checked after.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";
import type pg from "pg";
import { acceptStatement } from "../../../server/store/accept-statement.ts";
import type { AcceptRequest, NewMessage } from "../../../server/store/new-message.ts";
import { backendPid, blocked, headOf, HUB_B, streamOf, uidRows, useHolderDb } from "../../support/holder-rows.ts";

const h = useHolderDb("accept", { alive: [HUB_B] });

const message = (uid: string, n: number): NewMessage => {
  const body = JSON.stringify({ n });
  return { uid, msg: { n }, body, bytes: Buffer.byteLength(body), type: 4, clientType: 0, ttlSeconds: null, expiresAt: null };
};
const request = (messages: NewMessage[]): AcceptRequest => ({ producer: "p", scope: "batch", key: null, hash: "h", messages });

interface AcceptRow {
  ids: string[];
  s_uid: string[] | null;
  s_holder: string[] | null;
  s_lease: string[] | null;
  s_first: string[] | null;
  s_total: string[] | null;
  s_cleared: string[] | null;
}

async function accept(requests: AcceptRequest[], token = randomUUID(), fresh: boolean[] | null = null, c: pg.Client = h.c) {
  const stmt = acceptStatement(token, requests, fresh);
  const { rows } = await c.query<AcceptRow>(stmt.text, stmt.values);
  return rows[0]!;
}

const logOf = async (uid: string) =>
  (
    await h.c.query<{ id: string; seq: number; n: number }>(
      "SELECT noce_ack::text AS id, stream_seq::int AS seq, (msg_extend->>'n')::int AS n FROM messages WHERE to_uid = $1 ORDER BY noce_ack",
      [uid],
    )
  ).rows;

test("an accept parks an unheld idle head, and a new uid's head is parked with a position row of its own", async () => {
  await uidRows(h.c, "idle", { messages: 2, ackedSeq: 2, lease: 3 });
  await accept([request([message("idle", 1), message("new", 1)])]);
  const idle = await headOf(h.c, "idle");
  assert.deepEqual([idle?.lastSeq, idle?.parked, idle?.holder, idle?.dueInMs, idle?.lease], [3, true, null, null, 3]);
  const fresh = await headOf(h.c, "new");
  assert.deepEqual([fresh?.lastSeq, fresh?.parked, fresh?.holder], [1, true, null]);
  assert.deepEqual(await streamOf(h.c, "new"), { ackedSeq: 0, ackedId: 0, sentSeq: 0 });
});

test("an accept leaves a due or backing-off head's schedule alone: it is not parked", async () => {
  await uidRows(h.c, "backoff", { messages: 1, due: "later" });
  await uidRows(h.c, "due", { messages: 1, due: "now" });
  await accept([request([message("backoff", 1), message("due", 1)])]);
  const backoff = await headOf(h.c, "backoff");
  assert.equal(backoff?.parked, false);
  assert.ok(backoff!.dueInMs! > 0, "still due later");
  const due = await headOf(h.c, "due");
  assert.equal(due?.parked, false);
  assert.ok(due!.dueInMs! <= 0, "still due now");
});

test("an accept for a held head keeps its holder, and the row names holder, lease, first seq and unread stamp", async () => {
  await uidRows(h.c, "held", { messages: 2, holder: HUB_B, lease: 4, ackedSeq: 1 });
  await uidRows(h.c, "parked", { messages: 1, parked: true });
  await h.c.query("INSERT INTO uid_inbox (uid, cleared) VALUES ('held', 1)");
  const row = await accept([request([message("held", 1), message("parked", 1), message("held", 2)])]);
  assert.deepEqual(
    {
      uid: row.s_uid,
      holder: row.s_holder,
      lease: row.s_lease?.map(Number),
      first: row.s_first?.map(Number),
      total: row.s_total?.map(Number),
      cleared: row.s_cleared?.map(Number),
    },
    { uid: ["held"], holder: [HUB_B], lease: [4], first: [3], total: [4], cleared: [1] },
  );
  const head = await headOf(h.c, "held");
  assert.deepEqual([head?.holder, head?.lease, head?.parked, head?.lastSeq], [HUB_B, 4, false, 4]);
});

test("an accept for no held head returns no holders", async () => {
  const row = await accept([request([message("a", 1)])]);
  assert.equal(row.s_uid, null);
  assert.equal(row.ids.length, 1);
});

test("ids ascend in request order, and each uid's seqs follow its ids from its head on", async () => {
  await uidRows(h.c, "a", { messages: 2, ackedSeq: 2 });
  const first = await accept([
    request([message("a", 1), message("b", 1), message("a", 2)]),
    request([message("b", 2), message("a", 3)]),
  ]);
  const ids = first.ids.map(BigInt);
  assert.ok(
    ids.every((id, i) => i === 0 || id > ids[i - 1]!),
    `ids in request order ascend: ${first.ids.join(", ")}`,
  );
  await accept([request([message("a", 4)])]);
  const a = await logOf("a");
  assert.deepEqual(
    a.slice(2).map((m) => [m.n, m.seq]),
    [
      [1, 3],
      [2, 4],
      [3, 5],
      [4, 6],
    ],
  );
  assert.deepEqual(
    (await logOf("b")).map((m) => [m.n, m.seq]),
    [
      [1, 1],
      [2, 2],
    ],
  );
  assert.deepEqual(
    [...a.slice(2, 5), ...(await logOf("b"))].map((m) => m.id).sort((x, y) => (BigInt(x) < BigInt(y) ? -1 : 1)),
    first.ids,
    "the returned ids are the stored messages'",
  );
});

test("an accept that waits for a uid's head draws its ids after the wait: per uid, ids ascend in commit order", async () => {
  const first = await h.connect();
  const second = await h.connect();
  const secondPid = await backendPid(second);
  await first.query("BEGIN");
  const earlier = await accept([request([message("u", 1)])], randomUUID(), null, first);
  const waiting = accept([request([message("u", 2)])], randomUUID(), null, second);
  let meanwhile: AcceptRow;
  try {
    await blocked(h.c, secondPid);
    meanwhile = await accept([request([message("w", 1)])]);
  } finally {
    await first.query("COMMIT");
  }
  const later = await waiting;
  assert.ok(BigInt(earlier.ids[0]!) < BigInt(meanwhile.ids[0]!) && BigInt(meanwhile.ids[0]!) < BigInt(later.ids[0]!), "drawn after the wait");
  assert.deepEqual(
    (await logOf("u")).map((m) => [m.n, m.seq]),
    [
      [1, 1],
      [2, 2],
    ],
  );
});

test("a repeated token fails with a unique violation and stores nothing", async () => {
  const token = randomUUID();
  const stored = await accept([request([message("u", 1)])], token);
  const { rows: kept } = await h.c.query<{ ids: string[] }>("SELECT ids::text[] AS ids FROM accept_batches WHERE token = $1", [token]);
  assert.deepEqual(kept[0]?.ids, stored.ids, "the token keeps the ids it stored");
  await assert.rejects(accept([request([message("u", 2), message("v", 1)])], token), (e: { code?: string }) => e.code === "23505");
  assert.deepEqual(
    (await logOf("u")).map((m) => m.n),
    [1],
  );
  assert.deepEqual(await logOf("v"), []);
  assert.equal((await headOf(h.c, "u"))?.lastSeq, 1);
  assert.equal(await headOf(h.c, "v"), undefined);
});

test("requests not marked fresh store nothing", async () => {
  const row = await accept([request([message("u", 1)]), request([message("u", 2), message("w", 1)])], randomUUID(), [true, false]);
  assert.equal(row.ids.length, 1);
  assert.deepEqual(
    (await logOf("u")).map((m) => [m.n, m.seq]),
    [[1, 1]],
  );
  assert.equal(await headOf(h.c, "w"), undefined);
});
