import type { AcceptRequest, AcceptResult } from "./new-message.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { Db } from "./prisma.ts";
import type { SqlRunner } from "./sql-runner.ts";
import type { StreamMessage } from "./stream-message.ts";
import { acceptKeyed } from "./accept-keyed.ts";
import { acceptStatement, type AcceptRow } from "./accept-statement.ts";
import { sqlStateOf } from "./store-failure.ts";
import type { UnreadStamp } from "./unread-stamp.ts";

/** A uid whose delivery an instance holds, with what this commit added to it. */
export interface HeldAppend {
  uid: string;
  /** The instance holding the uid: it sends these messages (this one, or another told by the caller). */
  holder: string;
  lease: bigint;
  /** stream_seq of the first of `messages`. */
  firstSeq: bigint;
  /** This commit's messages for the uid, oldest first. */
  messages: StreamMessage[];
  unread: UnreadStamp;
}

export interface AcceptOutput {
  /** One per request, in order. */
  results: AcceptResult[];
  /** Held uids with new messages; uids nobody holds were parked (or keep their schedule) in the commit. */
  held: HeldAppend[];
}

/**
 * Stores a group commit — several producer requests — in one transaction: the uids' heads (which order
 * their ids), the messages, and with keys the idempotency keys. A commit without keys is one statement
 * (acceptStatement); with keys, a short transaction (acceptKeyed). `token` names the group commit:
 * calling again with the same token after an unknown outcome returns what the first call stored instead
 * of storing it twice (then `held` is empty: the first call's holders were told, or read it).
 */
export async function acceptRequests(db: Db, sql: SqlRunner, token: string, requests: AcceptRequest[]): Promise<AcceptOutput> {
  const store = (): Promise<AcceptRow> =>
    requests.every((r) => r.key === null)
      ? sql<AcceptRow>(acceptStatement(token, requests, null)).then(([row]) => {
          if (!row) throw new Error("the accept statement returned no row");
          return row;
        })
      : acceptKeyed(db, token, requests);
  const row = await store().catch(async (error: unknown) => {
    // The token exists: an earlier try of this commit stored it (its answer is kept under the token).
    const earlier = sqlStateOf(error) === "23505" ? await storedAnswer(sql, token) : undefined;
    if (earlier) return earlier;
    throw error;
  });
  const results = splitResults(requests, row);
  return { results, held: heldAppends(requests, results, row) };
}

/** What an earlier try of a group commit stored under its token (undefined: nothing). */
async function storedAnswer(sql: SqlRunner, token: string): Promise<AcceptRow | undefined> {
  const [row] = await sql<AcceptRow>(Prisma.sql`
    SELECT outcomes, ids, counts, NULL::text[] AS s_uid, NULL::uuid[] AS s_holder, NULL::bigint[] AS s_lease,
           NULL::bigint[] AS s_first, NULL::bigint[] AS s_total, NULL::bigint[] AS s_cleared, created_at
    FROM accept_batches WHERE token = ${token}::uuid`);
  return row;
}

/** Every request's ids: in request order, `counts` of them per request (all stored when outcomes is null). */
function splitResults(requests: AcceptRequest[], row: AcceptRow): AcceptResult[] {
  const ids = (row.ids ?? []).map(String);
  let at = 0;
  return requests.map((r, i): AcceptResult => {
    const n = row.counts?.[i] ?? r.messages.length;
    const outcome = row.outcomes?.[i] ?? "stored";
    const mine = ids.slice(at, at + n);
    at += n;
    if (mine.length !== n) throw new Error(`push_hub_accept returned too few ids for request ${i}`);
    return { outcome, ids: mine };
  });
}

/** A held uid's new messages: its messages of this commit in id order (= request order), seqs from first. */
function heldAppends(requests: AcceptRequest[], results: AcceptResult[], row: AcceptRow): HeldAppend[] {
  const uids = row.s_uid ?? [];
  if (uids.length === 0) return [];
  const byUid = new Map<string, HeldAppend>();
  uids.forEach((uid, i) => {
    byUid.set(uid, {
      uid,
      holder: row.s_holder?.[i] as string,
      lease: BigInt(row.s_lease?.[i] as bigint),
      firstSeq: BigInt(row.s_first?.[i] as bigint),
      messages: [],
      unread: { total: Number(row.s_total?.[i]), cleared: Number(row.s_cleared?.[i]) },
    });
  });
  const createdAt = row.created_at ?? new Date();
  requests.forEach((r, req) => {
    const result = results[req] as AcceptResult;
    if (result.outcome !== "stored") return;
    r.messages.forEach((msg, i) => {
      const held = byUid.get(msg.uid);
      if (!held) return;
      held.messages.push({
        id: BigInt(result.ids[i] as string),
        seq: 0n,
        msgType: msg.type,
        clientType: msg.clientType,
        msg: msg.msg,
        createdAt,
        bytes: msg.bytes,
      });
    });
  });
  for (const h of byUid.values()) {
    h.messages.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    h.messages.forEach((m, i) => (m.seq = h.firstSeq + BigInt(i)));
  }
  return [...byUid.values()];
}
