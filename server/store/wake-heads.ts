import { grantOf, type GrantRow, type HolderGrant } from "./holder-grant.ts";
import type { Db } from "./prisma.ts";

/** What a connect found: the uid granted to this instance, held by another live instance, or already ours. */
export type WakeResult =
  | { outcome: "granted" | "mine"; grant: HolderGrant }
  | { outcome: "held"; uid: string; holder: string; unread: HolderGrant["unread"] };

type Row = GrantRow & { outcome: "granted" | "held" | "mine"; holder: string | null };

/**
 * Sockets of these uids are connected to `instance` (SQL function push_hub_wake): uids nobody holds are
 * granted to it; a uid another live instance holds stays there (its holder is returned, so this instance
 * can ask to be sent to). `onlyUnheld`: the periodic check, which grants and touches nothing else.
 */
export async function wakeHeads(db: Db, uids: string[], instance: string, onlyUnheld: boolean): Promise<WakeResult[]> {
  if (uids.length === 0) return [];
  const rows = await db.$queryRaw<Row[]>`
    SELECT uid, outcome, holder, lease, wake_seq, attempts, failures, sent_seq AS retry_upto, acked_seq, acked_id, last_seq, cleared
    FROM push_hub_wake(${uids}::text[], ${instance}::uuid, ${onlyUnheld})`;
  return rows.map((r): WakeResult => {
    const unread = { total: Number(r.last_seq), cleared: Number(r.cleared) };
    if (r.outcome === "held") return { outcome: "held", uid: r.uid, holder: r.holder as string, unread };
    return { outcome: r.outcome, grant: grantOf(r) };
  });
}
