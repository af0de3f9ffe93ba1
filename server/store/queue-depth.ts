import type { Db } from "./prisma.ts";

/** Messages accepted but not yet acked (offline backlogs included), summed over the stream rows. */
export async function queueDepth(db: Db): Promise<number> {
  const [row] = await db.$queryRaw<{ n: bigint | null }[]>`
    SELECT sum(h.last_seq - s.acked_seq) AS n FROM uid_heads h JOIN uid_streams s ON s.uid = h.uid
    WHERE h.last_seq > s.acked_seq`;
  return Number(row?.n ?? 0);
}
