import type { AcceptOutcome, AcceptRequest, AcceptResult } from "./new-message.ts";
import type { Db } from "./prisma.ts";
import type { StreamMessage } from "./stream-message.ts";

/** A stream leased to the caller by the accept itself: it was idle, so its new messages are its whole window. */
interface AcceptLease {
  uid: string;
  lease: bigint;
  wakeSeq: bigint;
  /** stream_seq of the first message of this group commit for the uid (the ones before are all acked). */
  firstSeq: bigint;
  messages: StreamMessage[];
}

export interface LeaseAsk {
  leaseMs: number;
  /** Most streams to lease (0: none — the engine cannot take more now, or live leasing is off). */
  limit: number;
  /** This hub instance (streams it holds get their new messages handed over); null: none of that. */
  instance: string | null;
  /** DELIVERY_WINDOW: how many of a leased stream's new messages its session takes at once. */
  window: number;
}

/** What the accept did to streams that are being delivered right now. */
export interface AcceptStreams {
  /** Idle streams leased to the caller: their new messages are their whole window. */
  leases: AcceptLease[];
  /** Streams the caller already holds: their sessions take these messages as they are. */
  appends: AcceptLease[];
  /** Streams another instance holds: it should read them now. */
  remotes: { uid: string; holder: string }[];
}

type Row = {
  kind: "request" | "lease" | "append" | "remote";
  req: number | null;
  outcome: AcceptOutcome | null;
  ids: bigint[] | null;
  uid: string | null;
  lease: bigint | null;
  wake_seq: bigint | null;
  first_seq: bigint | null;
  created_at: Date | null;
  holder: string | null;
};

/**
 * Stores a group commit — several producer requests — in one transaction (SQL function push_hub_accept):
 * idempotency keys, the uids' stream rows (which also order their ids) and the messages. `token` names
 * this group commit: calling again with the same token after an unknown outcome returns what the first
 * call stored instead of storing it twice. Results come back one per request, in order, with what the
 * accept did to streams being delivered (see LeaseAsk, AcceptStreams).
 */
export async function acceptRequests(
  db: Db,
  token: string,
  requests: AcceptRequest[],
  ask: LeaseAsk,
): Promise<{ results: AcceptResult[]; streams: AcceptStreams }> {
  const m = requests.flatMap((r, req) => r.messages.map((msg) => ({ req, msg })));
  const rows = await db.$queryRaw<Row[]>`
    SELECT kind, req, outcome, ids, uid, lease, wake_seq, first_seq, created_at, holder FROM push_hub_accept(
      ${token}::uuid,
      ${requests.map((r) => r.producer)}::text[],
      ${requests.map((r) => r.scope)}::text[],
      ${requests.map((r) => r.key)}::text[],
      ${requests.map((r) => r.hash)}::text[],
      ${m.map((x) => x.req)}::int[],
      ${m.map((x) => x.msg.uid)}::text[],
      ${m.map((x) => x.msg.type)}::int[],
      ${m.map((x) => x.msg.clientType)}::int[],
      ${m.map((x) => x.msg.body)}::text[],
      ${m.map((x) => x.msg.bytes)}::int[],
      ${m.map((x) => x.msg.expiresAt?.toISOString() ?? null)}::timestamptz[],
      ${Math.round(ask.leaseMs)}::int, ${ask.limit}::int, ${ask.instance}::uuid, ${ask.window}::int)`;
  const byReq = new Map<number, Row>();
  const leased = new Map<string, Row>();
  const remotes: AcceptStreams["remotes"] = [];
  for (const r of rows) {
    if (r.kind === "request" && r.req !== null) byReq.set(r.req, r);
    else if ((r.kind === "lease" || r.kind === "append") && r.uid !== null) leased.set(r.uid, r);
    else if (r.kind === "remote" && r.uid !== null && r.holder !== null) remotes.push({ uid: r.uid, holder: r.holder });
  }
  const results = requests.map((_, req): AcceptResult => {
    const row = byReq.get(req);
    if (!row || row.outcome === null) throw new Error(`push_hub_accept returned no result for request ${req}`);
    return { outcome: row.outcome, ids: (row.ids ?? []).map(String) };
  });
  // A leased uid's window: its messages of this group commit in id order (= request order), seqs from first_seq.
  const windows = new Map<string, AcceptLease>();
  requests.forEach((r, req) => {
    const result = results[req] as AcceptResult;
    if (result.outcome !== "stored") return;
    r.messages.forEach((msg, i) => {
      const row = leased.get(msg.uid);
      if (!row) return;
      let w = windows.get(msg.uid);
      if (!w) {
        w = { uid: msg.uid, lease: row.lease as bigint, wakeSeq: row.wake_seq as bigint, firstSeq: row.first_seq as bigint, messages: [] };
        windows.set(msg.uid, w);
      }
      w.messages.push({
        id: BigInt(result.ids[i] as string),
        seq: 0n,
        msgType: msg.type,
        clientType: msg.clientType,
        msg: msg.msg,
        createdAt: row.created_at ?? new Date(),
        bytes: msg.bytes,
      });
    });
  });
  for (const w of windows.values()) {
    w.messages.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    w.messages.forEach((m, i) => (m.seq = w.firstSeq + BigInt(i)));
  }
  const all = [...windows.values()];
  return {
    results,
    streams: {
      leases: all.filter((w) => leased.get(w.uid)?.kind === "lease"),
      appends: all.filter((w) => leased.get(w.uid)?.kind === "append"),
      remotes,
    },
  };
}
