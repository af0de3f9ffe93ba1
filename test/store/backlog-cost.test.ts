// "O(1) per message in the backlog": accepting, claiming, acking, parking and waking a uid with
// 100,000 queued messages touch as many buffers as for a uid with (almost) nothing queued.
// Buffer counts come from EXPLAIN (ANALYZE, BUFFERS) of each SQL function call, nested statements
// included: a statement that touched every queued row of a uid would read thousands of pages.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import pg from "pg";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";

const DEEP = 100_000;
const WINDOW = 16;
let db: TestDatabase;
let client: pg.Client;

const accept = (uids: string[]) =>
  client.query(
    `SELECT count(*) FROM push_hub_accept($1::uuid, ARRAY['p'], ARRAY['batch'], ARRAY[NULL::text], ARRAY['h'],
       array_fill(0, ARRAY[$2::int]), $3::text[], array_fill(4, ARRAY[$2::int]), array_fill(0, ARRAY[$2::int]),
       array_fill('{"n":1}'::text, ARRAY[$2::int]), array_fill(7, ARRAY[$2::int]),
       array_fill(NULL::timestamptz, ARRAY[$2::int]), 0, 0, NULL)`,
    [randomUUID(), uids.length, uids],
  );

/** Shared buffers (hit + read) the statement touched, nested statements included. */
async function buffers(sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await client.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`, params);
  const plan = (rows[0] as { "QUERY PLAN": [{ Plan: Record<string, number> }] })["QUERY PLAN"][0].Plan;
  return (plan["Shared Hit Blocks"] ?? 0) + (plan["Shared Read Blocks"] ?? 0);
}

const claimOne = (uid: string) =>
  client.query(
    `UPDATE uid_streams SET due_at = CASE WHEN uid = $1 THEN now() - interval '1 hour' END,
       parked = CASE WHEN uid = $1 THEN false ELSE parked END, lease_until = CASE WHEN uid = $1 THEN NULL ELSE lease_until END
     WHERE due_at IS NOT NULL OR uid = $1`,
    [uid],
  );

async function streamOf(uid: string) {
  const { rows } = await client.query("SELECT lease, wake_seq, acked_seq FROM uid_streams WHERE uid = $1", [uid]);
  return rows[0] as { lease: string; wake_seq: string; acked_seq: string };
}

/** One progress report for `uid` (after a claim), as the engine sends it. */
const advanceSql = `SELECT count(*) FROM push_hub_advance(ARRAY[$1::text], ARRAY[$2::bigint], ARRAY[$3::bigint], ARRAY[$4::bigint],
  ARRAY[NULL::bigint], ARRAY[$5::smallint], ARRAY[0], ARRAY[$6::bigint], ARRAY[1], ARRAY[0::bigint], ARRAY[$3::bigint],
  ${WINDOW}, 1048576, 60000)`;

before(async () => {
  db = await createTestDatabase("cost");
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
  for (let i = 0; i < DEEP; i += 10_000) await accept(Array(10_000).fill("deep"));
  await accept(Array(WINDOW).fill("shallow"));
  await accept(["idle"]);
  await client.query(
    "UPDATE uid_streams s SET acked_seq = h.last_seq, sent_seq = h.last_seq, due_at = NULL, lease_until = NULL FROM uid_heads h WHERE h.uid = s.uid AND s.uid = 'idle'",
  );
  await client.query("VACUUM ANALYZE uid_streams");
  await client.query("ANALYZE messages");
});

after(async () => {
  await client?.end();
  await db?.drop();
});

const close = (deep: number, shallow: number, what: string) =>
  assert.ok(deep <= shallow * 1.5 + 12, `${what}: ${deep} buffers for a uid with ${DEEP} queued vs ${shallow} with few`);

test("accepting a message costs the same for a uid with 100,000 queued as for an idle uid", async () => {
  const one = (uid: string) => `SELECT count(*) FROM push_hub_accept('${randomUUID()}'::uuid, ARRAY['p'], ARRAY['message'], ARRAY[NULL::text],
    ARRAY['h'], ARRAY[0], ARRAY['${uid}'], ARRAY[4], ARRAY[0], ARRAY['{"n":2}'], ARRAY[7], ARRAY[NULL::timestamptz], 0, 0, NULL)`;
  await buffers(one("idle")); // warm the plan cache of this connection
  const idle = await buffers(one("idle"));
  const deep = await buffers(one("deep"));
  close(deep, idle, "accept");
});

test("claiming, acking and parking cost the same: the window is read from the acked position", async (t) => {
  const cost: Record<string, Record<string, number>> = {};
  for (const uid of ["shallow", "deep", "shallow", "deep"]) {
    await claimOne(uid);
    const claim = await buffers(`SELECT count(*) FROM push_hub_claim(1, ${WINDOW}, ${WINDOW}, 1048576, 60000, NULL)`);
    const s = await streamOf(uid);
    const { rows } = await client.query(
      "SELECT noce_ack, stream_seq FROM messages WHERE to_uid = $1 AND stream_seq = $2::bigint + 1",
      [uid, s.acked_seq],
    );
    const first = rows[0] as { noce_ack: string; stream_seq: string };
    const ack = await buffers(advanceSql, [uid, s.lease, first.stream_seq, first.noce_ack, 0, s.wake_seq]);
    const park = await buffers(advanceSql, [uid, s.lease, first.stream_seq, first.noce_ack, 2, s.wake_seq]);
    cost[uid] = { claim, ack, park };
  }
  t.diagnostic(`buffers: ${JSON.stringify(cost)}`);
  const { shallow, deep } = cost as { shallow: Record<string, number>; deep: Record<string, number> };
  for (const what of ["claim", "ack", "park"]) close(deep[what]!, shallow[what]!, what);
  const parked = await client.query("SELECT uid FROM uid_streams WHERE parked ORDER BY uid");
  assert.deepEqual(parked.rows.map((r: { uid: string }) => r.uid), ["deep", "shallow"]);
});

test("waking a parked uid on connect costs the same", async () => {
  const wake = (uid: string) => buffers("SELECT count(*) FROM push_hub_wake(ARRAY[$1::text], false)", [uid]);
  const shallow = await wake("shallow");
  const deep = await wake("deep");
  close(deep, shallow, "wake");
  const due = await client.query("SELECT uid FROM uid_streams WHERE due_at <= now() AND NOT parked ORDER BY uid");
  assert.deepEqual(due.rows.map((r: { uid: string }) => r.uid), ["deep", "shallow"]);
});
