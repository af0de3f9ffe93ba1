import type { HolderGrant } from "./holder-grant.ts";
import type { Db } from "./prisma.ts";

type Row = {
  uid: string;
  lease: bigint;
  wake_seq: bigint;
  attempts: number;
  failures: number;
  acked_seq: bigint;
  acked_id: bigint;
  sent_seq: bigint;
  last_seq: bigint;
  cleared: bigint;
};

/**
 * What `instance` holds, as grants (SQL function push_hub_held): of `uids`; or, with null, the uids it
 * holds whose head is beyond what it knows (`known`: its holdings and the head each knows of), or beyond
 * their recorded position for those it has no holding for. For adopting holdings it was not told of.
 */
export async function heldUids(db: Db, instance: string, uids: string[] | null, known?: Map<string, bigint>): Promise<HolderGrant[]> {
  const k = [...(known ?? new Map<string, bigint>())];
  const rows = await db.$queryRaw<Row[]>`
    SELECT uid, lease, wake_seq, attempts, failures, acked_seq, acked_id, sent_seq, last_seq, cleared
    FROM push_hub_held(${instance}::uuid, ${uids}::text[], ${k.map(([u]) => u)}::text[], ${k.map(([, l]) => String(l))}::bigint[])`;
  return rows.map((r) => ({
    uid: r.uid,
    lease: r.lease,
    wakeSeq: r.wake_seq,
    attempts: r.attempts,
    failures: r.failures,
    retryUpto: r.sent_seq,
    ackedSeq: r.acked_seq,
    ackedId: r.acked_id,
    lastSeq: r.last_seq,
    unread: { total: Number(r.last_seq), cleared: Number(r.cleared) },
    messages: [],
  }));
}
