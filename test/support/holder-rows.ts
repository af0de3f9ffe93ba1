// Rows for testing the holder SQL functions as SQL: uids set up with plain INSERTs, functions called
// directly, rows read back with plain SELECTs.
import { after, before, beforeEach } from "node:test";
import pg from "pg";
import { waitFor } from "../../loadtest/support/wait-for.ts";
import { createTestDatabase, type TestDatabase } from "./database.ts";

export const HUB_A = "00000000-0000-4000-8000-00000000000a";
export const HUB_B = "00000000-0000-4000-8000-00000000000b";
export const HUB_C = "00000000-0000-4000-8000-00000000000c";
export const HUB_DEAD = "00000000-0000-4000-8000-0000000000dd";

export interface HolderDb {
  db: TestDatabase;
  c: pg.Client;
  /** Another connection, for a concurrent transaction. */
  connect(): Promise<pg.Client>;
  /** Empties every table the holder functions touch. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export async function openHolderDb(label: string): Promise<HolderDb> {
  const db = await createTestDatabase(label);
  const clients: pg.Client[] = [];
  const connect = async () => {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    clients.push(c);
    return c;
  };
  const c = await connect();
  return {
    db,
    c,
    connect,
    reset: async () => {
      await c.query(
        "TRUNCATE uid_heads, uid_streams, messages, deliveries, hub_instances, uid_inbox, accept_batches, idempotency_keys",
      );
    },
    close: async () => {
      await Promise.all(clients.map((x) => x.end().catch(() => undefined)));
      await db.drop();
    },
  };
}

/**
 * A holder database for the test file that calls it: opened before its tests, dropped after them, and
 * emptied before each test with the instances `alive` (for the next hour) and `dead` (since a minute) in
 * place. Its fields can be read once the tests run.
 */
export function useHolderDb(label: string, o: { alive: string[]; dead?: string[] }): HolderDb {
  let opened: HolderDb | undefined;
  const db = (): HolderDb => {
    if (opened === undefined) throw new Error("the holder database opens before the tests run");
    return opened;
  };
  before(async () => {
    opened = await openHolderDb(label);
  });
  after(async () => {
    await opened?.close();
  });
  beforeEach(async () => {
    await db().reset();
    for (const id of o.alive) await instance(db().c, id);
    for (const id of o.dead ?? []) await instance(db().c, id, { alive: false });
  });
  return {
    get db() {
      return db().db;
    },
    get c() {
      return db().c;
    },
    connect: () => db().connect(),
    reset: () => db().reset(),
    close: () => db().close(),
  };
}

/** A hub instance, alive for the next hour or dead since an hour (`deadForSeconds` to choose how long). */
export async function instance(c: pg.Client, id: string, o: { alive: boolean; deadForSeconds?: number } = { alive: true }) {
  const offset = o.alive ? 3600 : -(o.deadForSeconds ?? 60);
  await c.query(
    `INSERT INTO hub_instances (id, alive_until) VALUES ($1, now() + make_interval(secs => $2))
     ON CONFLICT (id) DO UPDATE SET alive_until = EXCLUDED.alive_until`,
    [id, offset],
  );
}

export interface UidRows {
  /** Messages in the log with seqs 1..messages (the head's last_seq). */
  messages?: number;
  /** Seqs whose message expired an hour ago. */
  expired?: number[];
  /** body_bytes of each message (10 unless given). */
  bytes?: number[];
  holder?: string | null;
  lease?: number;
  parked?: boolean;
  /** due_at: now-ish (a second ago), a minute ahead, or NULL. */
  due?: "now" | "later" | null;
  wakeSeq?: number;
  attempts?: number;
  failures?: number;
  /** Position; acked_id is the id of the message at this seq. */
  ackedSeq?: number;
  sentSeq?: number;
}

/** Sets a uid up; returns its message ids by seq (ids[0] is seq 1). */
export async function uidRows(c: pg.Client, uid: string, r: UidRows = {}): Promise<number[]> {
  const n = r.messages ?? 0;
  const ids: number[] = [];
  for (let seq = 1; seq <= n; seq++) {
    const { rows } = await c.query<{ id: string }>(
      `INSERT INTO messages (to_uid, stream_seq, msg_extend, body_bytes, expires_at)
       VALUES ($1, $2, $3::jsonb, $4, CASE WHEN $5 THEN now() - interval '1 hour' END) RETURNING noce_ack AS id`,
      [uid, seq, JSON.stringify({ seq }), r.bytes?.[seq - 1] ?? 10, r.expired?.includes(seq) ?? false],
    );
    ids.push(Number(rows[0]!.id));
  }
  await c.query(
    `INSERT INTO uid_heads (uid, last_seq, holder, lease, parked, due_at, wake_seq, attempts, failures)
     VALUES ($1, $2, $3, $4, $5,
             CASE $6::text WHEN 'now' THEN now() - interval '1 second' WHEN 'later' THEN now() + interval '1 minute' END,
             $7, $8, $9)`,
    [uid, n, r.holder ?? null, r.lease ?? 0, r.parked ?? false, r.due ?? null, r.wakeSeq ?? 0, r.attempts ?? 0, r.failures ?? 0],
  );
  const acked = r.ackedSeq ?? 0;
  await c.query("INSERT INTO uid_streams (uid, acked_seq, acked_id, sent_seq) VALUES ($1, $2, $3, $4)", [
    uid,
    acked,
    acked > 0 ? ids[acked - 1] : 0,
    r.sentSeq ?? acked,
  ]);
  return ids;
}

export interface Head {
  lastSeq: number;
  holder: string | null;
  lease: number;
  parked: boolean;
  /** due_at as ms from now (null: not scheduled). */
  dueInMs: number | null;
  wakeSeq: number;
  attempts: number;
  failures: number;
}

export async function headOf(c: pg.Client, uid: string): Promise<Head | undefined> {
  const { rows } = await c.query<Head>(
    `SELECT last_seq::int AS "lastSeq", holder::text AS holder, lease::int AS lease, parked,
            (extract(epoch FROM due_at - now()) * 1000)::int AS "dueInMs", wake_seq::int AS "wakeSeq", attempts, failures
     FROM uid_heads WHERE uid = $1`,
    [uid],
  );
  return rows[0];
}

export interface Stream {
  ackedSeq: number;
  ackedId: number;
  sentSeq: number;
}

export async function streamOf(c: pg.Client, uid: string): Promise<Stream | undefined> {
  const { rows } = await c.query<Stream>(
    `SELECT acked_seq::int AS "ackedSeq", acked_id::float8 AS "ackedId", sent_seq::int AS "sentSeq" FROM uid_streams WHERE uid = $1`,
    [uid],
  );
  return rows[0];
}

export interface Receipt {
  firstSeq: number;
  lastSeq: number;
  lastId: number;
  attempt: number;
  retryUpto: number;
}

export async function receiptsOf(c: pg.Client, uid: string): Promise<Receipt[]> {
  const { rows } = await c.query<Receipt>(
    `SELECT first_seq::int AS "firstSeq", last_seq::int AS "lastSeq", last_id::float8 AS "lastId", attempt, retry_upto::int AS "retryUpto"
     FROM deliveries WHERE uid = $1 ORDER BY last_id`,
    [uid],
  );
  return rows;
}

/** A position as push_hub_record and push_hub_end take it. */
export interface PositionArgs {
  uid: string;
  firstSeq: number;
  ackedSeq: number;
  ackedId: number;
  sentSeq: number;
  attempt?: number;
  retryUpto?: number;
}

const positionArrays = (p: PositionArgs[]) => [
  p.map((x) => x.uid),
  p.map((x) => x.firstSeq),
  p.map((x) => x.ackedSeq),
  p.map((x) => x.ackedId),
  p.map((x) => x.sentSeq),
  p.map((x) => x.attempt ?? 1),
  p.map((x) => x.retryUpto ?? 0),
];

export async function record(c: pg.Client, positions: PositionArgs[]): Promise<number> {
  const { rows } = await c.query<{ n: number }>(
    "SELECT push_hub_record($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::int[], $7::bigint[]) AS n",
    positionArrays(positions),
  );
  return rows[0]!.n;
}

export interface EndArgs extends PositionArgs {
  lease: number;
  end: "release" | "backoff" | "handback" | "transfer";
  delayMs?: number;
  failures?: number;
  wakeSeq: number;
  to?: string;
}

export interface EndRow {
  uid: string;
  state: string;
  lease: number | null;
  lastSeq: number | null;
}

export async function endHoldings(c: pg.Client, instanceId: string, entries: EndArgs[]): Promise<EndRow[]> {
  const [uids, firstSeq, ackedSeq, ackedId, sentSeq, attempt, retryUpto] = positionArrays(entries);
  const { rows } = await c.query<EndRow>(
    `SELECT uid, state, lease::int AS lease, last_seq::int AS "lastSeq" FROM push_hub_end(
       $1::uuid, $2::text[], $3::bigint[], $4::text[], $5::int[], $6::int[], $7::bigint[], $8::uuid[],
       $9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[], $13::int[], $14::bigint[])
     ORDER BY uid`,
    [
      instanceId,
      uids,
      entries.map((e) => e.lease),
      entries.map((e) => e.end),
      entries.map((e) => e.delayMs ?? 0),
      entries.map((e) => e.failures ?? 0),
      entries.map((e) => e.wakeSeq),
      entries.map((e) => e.to ?? null),
      firstSeq,
      ackedSeq,
      ackedId,
      sentSeq,
      attempt,
      retryUpto,
    ],
  );
  return rows;
}

export interface WakeRow {
  uid: string;
  outcome: "granted" | "held" | "mine";
  holder: string | null;
  lease: number;
  wakeSeq: number;
  attempts: number;
  failures: number;
  ackedSeq: number;
  sentSeq: number;
  lastSeq: number;
}

export async function wake(c: pg.Client, uids: string[], instanceId: string, onlyUnheld = false): Promise<WakeRow[]> {
  const { rows } = await c.query<WakeRow>(
    `SELECT uid, outcome, holder::text AS holder, lease::int AS lease, wake_seq::int AS "wakeSeq", attempts, failures,
            acked_seq::int AS "ackedSeq", sent_seq::int AS "sentSeq", last_seq::int AS "lastSeq"
     FROM push_hub_wake($1::text[], $2::uuid, $3)`,
    [uids, instanceId, onlyUnheld],
  );
  return rows;
}

/** Resolves once the backend `pid` waits for a lock another backend holds. */
export async function blocked(observer: pg.Client, pid: number): Promise<void> {
  await waitFor(async () => {
    const { rows } = await observer.query<{ n: number }>("SELECT cardinality(pg_blocking_pids($1)) AS n", [pid]);
    return rows[0]!.n > 0;
  }, `backend ${pid} to wait for a lock`);
}

export async function backendPid(c: pg.Client): Promise<number> {
  const { rows } = await c.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
  return rows[0]!.pid;
}
