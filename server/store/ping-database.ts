import type { Db } from "./prisma.ts";

export async function pingDatabase(db: Db): Promise<void> {
  await db.$queryRaw`SELECT 1`;
}

/**
 * Opens `connections` of the pool at once (before traffic): the first requests then find their
 * connections ready instead of each paying for a connect and authentication.
 */
export async function warmPool(db: Db, connections: number): Promise<void> {
  await Promise.all(Array.from({ length: connections }, () => db.$queryRaw`SELECT 1`));
}
