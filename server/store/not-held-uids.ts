import type { Db } from "./prisma.ts";

/** Which of `uids` `instance` does not hold (any more). Normally none, so the answer stays empty. */
export async function notHeldUids(db: Db, instance: string, uids: string[]): Promise<string[]> {
  const rows = await db.$queryRaw<{ uid: string }[]>`
    SELECT u.uid FROM unnest(${uids}::text[]) AS u(uid)
    WHERE NOT EXISTS (SELECT 1 FROM uid_heads h WHERE h.uid = u.uid AND h.holder = ${instance}::uuid)`;
  return rows.map((r) => r.uid);
}
