import type { Db } from "./prisma.ts";

/** Messages still waiting for an ack (offline uids' backlogs included). */
export async function countQueued(db: Db): Promise<number> {
  return db.message.count({ where: { status: "queued" } });
}
