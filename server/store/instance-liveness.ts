import type { Db } from "./prisma.ts";

/** Renews this instance's life (SQL function push_hub_heartbeat); resolves with how long it lasts, in ms. */
export async function heartbeat(db: Db, instance: string, aliveMs: number): Promise<number> {
  const [row] = await db.$queryRaw<{ left: number }[]>`SELECT push_hub_heartbeat(${instance}::uuid, ${Math.round(aliveMs)}::int) AS left`;
  return row?.left ?? 0;
}

/** Uids held by instances no longer alive become due (SQL function push_hub_reap); resolves with how many. */
export async function reapDeadHolders(db: Db): Promise<number> {
  const [row] = await db.$queryRaw<{ n: number }[]>`SELECT push_hub_reap() AS n`;
  return row?.n ?? 0;
}

/** Shutdown: every uid this instance holds is given up and the instance is no longer alive. */
export async function releaseAll(db: Db, instance: string): Promise<number> {
  const [row] = await db.$queryRaw<{ n: number }[]>`SELECT push_hub_release_all(${instance}::uuid) AS n`;
  return row?.n ?? 0;
}
