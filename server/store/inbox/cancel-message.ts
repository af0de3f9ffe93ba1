import type { Db } from "../prisma.ts";
import { failAsUnavailable } from "../store-unavailable-error.ts";

interface CancelResult {
  uid: string;
  /** False when it had been cancelled before (cancelling is idempotent). */
  cancelled: boolean;
  unread: number;
}

/**
 * Cancels a message (push_hub_cancel): a queued one is never delivered after this (its expiry moves to
 * now, which delivery windows skip), and sync no longer lists it. Null: no such message.
 */
export async function cancelMessage(db: Db, id: bigint): Promise<CancelResult | null> {
  const [row] = await db.$queryRaw<{ uid: string; cancelled: boolean; unread: bigint }[]>`
    SELECT uid, cancelled, unread FROM push_hub_cancel(${id}::bigint)`.catch(failAsUnavailable("could not cancel the message"));
  return row ? { uid: row.uid, cancelled: row.cancelled, unread: Number(row.unread) } : null;
}
