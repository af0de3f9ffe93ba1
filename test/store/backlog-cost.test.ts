// "O(1) per message in the backlog": accepting, claiming, reading, recording, releasing and waking a uid
// with 100,000 queued messages touch as many buffers as for a uid with (almost) nothing queued.
// Buffer counts come from EXPLAIN (ANALYZE, BUFFERS) of each SQL function call, nested statements
// included: a statement that touched every queued row of a uid would read thousands of pages.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import pg from "pg";
import { acceptStatement } from "../../server/store/accept-statement.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";

const DEEP = 100_000;
const WINDOW = 16;
const INSTANCE = "00000000-0000-4000-8000-0000000000aa";
let db: TestDatabase;
let client: pg.Client;

/** The hub's accept statement for one request carrying a message to each of `uids`. */
const acceptOf = (uids: string[]) =>
  acceptStatement(
    randomUUID(),
    [{ producer: "p", scope: "batch", key: null, hash: "h", messages: uids.map((uid) => ({ uid, msg: { n: 1 }, body: '{"n":1}', bytes: 7, type: 4, clientType: 0, ttlSeconds: null, expiresAt: null })) }],
    null,
  );
const accept = (uids: string[]) => {
  const stmt = acceptOf(uids);
  return client.query(stmt.text, stmt.values);
};

/** Shared buffers (hit + read) the statement touched, nested statements included. */
async function buffers(sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await client.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`, params);
  const plan = (rows[0] as { "QUERY PLAN": [{ Plan: Record<string, number> }] })["QUERY PLAN"][0].Plan;
  return (plan["Shared Hit Blocks"] ?? 0) + (plan["Shared Read Blocks"] ?? 0);
}

/** Only `uid` is due (as a backoff that ran out): the next claim takes it. */
const dueOnly = (uid: string) =>
  client.query(
    `UPDATE uid_heads SET due_at = CASE WHEN uid = $1 THEN now() - interval '1 hour' END,
       parked = CASE WHEN uid = $1 THEN false ELSE parked END, holder = CASE WHEN uid = $1 THEN NULL ELSE holder END
     WHERE due_at IS NOT NULL OR uid = $1`,
    [uid],
  );

async function headOf(uid: string) {
  const { rows } = await client.query(
    "SELECT h.lease, h.wake_seq, s.acked_seq, s.acked_id FROM uid_heads h JOIN uid_streams s USING (uid) WHERE uid = $1",
    [uid],
  );
  return rows[0] as { lease: string; wake_seq: string; acked_seq: string; acked_id: string };
}

before(async () => {
  db = await createTestDatabase("cost");
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await client.query(`SELECT push_hub_heartbeat('${INSTANCE}', 600000)`);
  for (let i = 0; i < DEEP; i += 10_000) await accept(Array(10_000).fill("deep"));
  await accept(Array(WINDOW).fill("shallow"));
  await accept(["idle"]);
  await client.query("UPDATE uid_streams s SET acked_seq = h.last_seq, sent_seq = h.last_seq FROM uid_heads h WHERE h.uid = s.uid AND s.uid = 'idle'");
  await client.query("UPDATE uid_heads SET parked = false WHERE uid = 'idle'");
  await client.query("VACUUM ANALYZE uid_streams");
  await client.query("VACUUM ANALYZE uid_heads");
  await client.query("ANALYZE messages");
});

after(async () => {
  await client?.end();
  await db?.drop();
});

const close = (deep: number, shallow: number, what: string) =>
  assert.ok(deep <= shallow * 1.5 + 12, `${what}: ${deep} buffers for a uid with ${DEEP} queued vs ${shallow} with few`);

test("accepting a message costs the same for a uid with 100,000 queued as for an idle uid", async () => {
  const one = async (uid: string) => {
    const stmt = acceptOf([uid]);
    return buffers(stmt.text, stmt.values);
  };
  await one("idle"); // warm the caches
  const idle = await one("idle");
  const deep = await one("deep");
  close(deep, idle, "accept");
});

test("claiming, reading, recording and releasing cost the same: windows are read from the position", async (t) => {
  const cost: Record<string, Record<string, number>> = {};
  for (const uid of ["shallow", "deep", "shallow", "deep"]) {
    await dueOnly(uid);
    const claim = await buffers(`SELECT count(*) FROM push_hub_claim(1, ${WINDOW}, ${WINDOW}, 1048576, '${INSTANCE}')`);
    const h = await headOf(uid);
    const { rows } = await client.query("SELECT noce_ack, stream_seq FROM messages WHERE to_uid = $1 AND stream_seq = $2::bigint + 1", [uid, h.acked_seq]);
    const first = rows[0] as { noce_ack: string; stream_seq: string };
    const read = await buffers(`SELECT count(*) FROM push_hub_read(ARRAY[$1::text], ARRAY[$2::bigint], ARRAY[$3::bigint], ${WINDOW}, 1048576)`, [
      uid,
      first.noce_ack,
      first.stream_seq,
    ]);
    const record = await buffers("SELECT push_hub_record(ARRAY[$1::text], ARRAY[$2::bigint], ARRAY[$2::bigint], ARRAY[$3::bigint], ARRAY[$2::bigint], ARRAY[1], ARRAY[0::bigint])", [
      uid,
      first.stream_seq,
      first.noce_ack,
    ]);
    const release = await buffers(
      `SELECT count(*) FROM push_hub_end('${INSTANCE}', ARRAY[$1::text], ARRAY[$2::bigint], ARRAY['release'], ARRAY[0], ARRAY[0],
         ARRAY[$3::bigint], ARRAY[NULL::uuid], ARRAY[$4::bigint], ARRAY[$4::bigint], ARRAY[$5::bigint], ARRAY[$4::bigint], ARRAY[1], ARRAY[0::bigint])`,
      [uid, h.lease, h.wake_seq, first.stream_seq, first.noce_ack],
    );
    cost[uid] = { claim, read, record, release };
  }
  t.diagnostic(`buffers: ${JSON.stringify(cost)}`);
  const { shallow, deep } = cost as { shallow: Record<string, number>; deep: Record<string, number> };
  for (const what of ["claim", "read", "record", "release"]) close(deep[what]!, shallow[what]!, what);
  const parked = await client.query("SELECT uid FROM uid_heads WHERE parked AND uid IN ('deep', 'shallow') ORDER BY uid");
  assert.deepEqual(parked.rows.map((r: { uid: string }) => r.uid), ["deep", "shallow"], "released with messages pending: parked");
});

test("waking a parked uid on connect costs the same", async () => {
  const wake = (uid: string) => buffers(`SELECT count(*) FROM push_hub_wake(ARRAY[$1::text], '${INSTANCE}', false)`, [uid]);
  const shallow = await wake("shallow");
  const deep = await wake("deep");
  close(deep, shallow, "wake");
  const held = await client.query("SELECT uid FROM uid_heads WHERE holder IS NOT NULL AND NOT parked ORDER BY uid");
  assert.deepEqual(held.rows.map((r: { uid: string }) => r.uid), ["deep", "shallow"], "granted to the connecting instance");
});
