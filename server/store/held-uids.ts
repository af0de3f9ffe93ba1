import { grantOf, type GrantRow, type HolderGrant } from "./holder-grant.ts";
import type { Db } from "./prisma.ts";

/**
 * What `instance` holds, as grants (SQL function push_hub_held): of `uids`; or, with null, the uids it
 * holds whose head is beyond what it knows (`known`: its holdings and the head each knows of), or beyond
 * their recorded position for those it has no holding for. For adopting holdings it was not told of.
 */
export async function heldUids(db: Db, instance: string, uids: string[] | null, known?: Map<string, bigint>): Promise<HolderGrant[]> {
  const k = [...(known ?? new Map<string, bigint>())];
  const rows = await db.$queryRaw<GrantRow[]>`
    SELECT uid, lease, wake_seq, attempts, failures, sent_seq AS retry_upto, acked_seq, acked_id, last_seq, cleared
    FROM push_hub_held(${instance}::uuid, ${uids}::text[], ${k.map(([u]) => u)}::text[], ${k.map(([, l]) => String(l))}::bigint[])`;
  return rows.map((r) => grantOf(r));
}
