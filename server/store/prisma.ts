import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../generated/prisma/client.ts";

export type Db = PrismaClient;

interface PrismaOptions {
  url: string;
  poolSize: number;
}

/** One PrismaClient per hub over a pg pool; timeouts keep an unreachable database from hanging requests. */
export function createPrisma({ url, poolSize }: PrismaOptions): Db {
  const adapter = new PrismaPg({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: 3000,
    query_timeout: 15000,
    idleTimeoutMillis: 30000,
    keepAlive: true,
  });
  return new PrismaClient({ adapter });
}
