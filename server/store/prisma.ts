import { createHash } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../generated/prisma/client.ts";

export type Db = PrismaClient;

interface PrismaOptions {
  url: string;
  poolSize: number;
  /** Name and reuse statements per connection (off where connections share one session: PGlite). */
  preparedStatements: boolean;
}

/**
 * Every statement the hub sends is prepared once per connection and reused: the hot ones run hundreds of
 * times a second, and parsing and planning them again each time costs more than running them. The name
 * is a digest of the SQL text (the hub's statements are fixed texts with parameters).
 */
const names = new Map<string, string>();
const statementName = ({ sql }: { sql: string }): string => {
  let name = names.get(sql);
  if (name === undefined) {
    name = `ph_${createHash("sha1").update(sql).digest("hex").slice(0, 20)}`;
    if (names.size < 10_000) names.set(sql, name);
  }
  return name;
};

/** One PrismaClient per hub over a pg pool; timeouts keep an unreachable database from hanging requests. */
export function createPrisma({ url, poolSize, preparedStatements }: PrismaOptions): Db {
  const adapter = new PrismaPg(
    {
      connectionString: url,
      max: poolSize,
      connectionTimeoutMillis: 3000,
      query_timeout: 15000,
      idleTimeoutMillis: 30000,
      keepAlive: true,
    },
    preparedStatements ? { statementNameGenerator: statementName } : {},
  );
  return new PrismaClient({ adapter });
}
