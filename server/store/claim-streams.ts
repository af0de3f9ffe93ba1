import { grantOf, type GrantRow, type HolderGrant } from "./holder-grant.ts";
import type { Db } from "./prisma.ts";
import { toStreamMessages } from "./stream-message.ts";

interface ClaimLimits {
  /** Most due heads looked at (and locked) by one claim. */
  heads: number;
  /** Most messages the claimed windows may hold together (DRAIN_BATCH, less what is in flight). */
  messages: number;
  /** DELIVERY_WINDOW and DELIVERY_WINDOW_BYTES: one uid's window. */
  window: number;
  windowBytes: number;
  /** This hub instance: the holder of what it claims. */
  instance: string;
}

type Row = GrantRow & { messages: unknown };

/**
 * Takes due uids (backoffs that came due, hand-backs, uids of dead instances) and reads their first
 * windows: one statement (SQL function push_hub_claim), no lock another instance's claim waits for.
 * A grant with no messages had nothing deliverable left: it went idle and is not held.
 */
export async function claimStreams(db: Db, limits: ClaimLimits): Promise<HolderGrant[]> {
  const rows = await db.$queryRaw<Row[]>`
    SELECT uid, lease, attempts, failures, retry_upto, wake_seq, acked_seq, acked_id, last_seq, cleared, messages
    FROM push_hub_claim(${limits.heads}::int, ${limits.messages}::int, ${limits.window}::int,
                        ${limits.windowBytes}::int, ${limits.instance}::uuid)`;
  return rows.map((r) => grantOf(r, toStreamMessages(r.messages)));
}
