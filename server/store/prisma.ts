import { createHash } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "../generated/prisma/client.ts";
import { createSqlRunner, type SqlRunner } from "./sql-runner.ts";

export type Db = PrismaClient;

/** A PrismaClient and a runner of hot statements, over one pg pool. */
export interface Database {
  db: Db;
  sql: SqlRunner;
  /** Disconnects the client and closes the pool. */
  end(): Promise<void>;
}

interface DatabaseOptions {
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
const statementName = (sql: string): string => {
  let name = names.get(sql);
  if (name === undefined) {
    name = `ph_${createHash("sha1").update(sql).digest("hex").slice(0, 20)}`;
    if (names.size < 10_000) names.set(sql, name);
  }
  return name;
};

/** One pg pool per use; timeouts keep an unreachable database from hanging requests. */
export function createDatabase({ url, poolSize, preparedStatements }: DatabaseOptions): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: 3000,
    query_timeout: 15000,
    idleTimeoutMillis: 30000,
    keepAlive: true,
  });
  // An idle connection that breaks (PostgreSQL restarted) is dropped by the pool; the next statement opens
  // another. Without a listener the pool's "error" would end the process before Prisma first connects.
  pool.on("error", () => undefined);
  const adapter = new PrismaPg(pool, {
    ...(preparedStatements ? { statementNameGenerator: ({ sql }: { sql: string }) => statementName(sql) } : {}),
  });
  // "minimal": no call-site capture (an Error and its stack) for every statement the hub sends.
  const db = new PrismaClient({ adapter, errorFormat: "minimal" });
  return {
    db,
    sql: createSqlRunner(pool, preparedStatements ? statementName : null),
    end: async () => {
      await db.$disconnect().catch(() => undefined);
      await pool.end().catch(() => undefined);
    },
  };
}
