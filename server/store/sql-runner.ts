import type pg from "pg";
import type { Prisma } from "../generated/prisma/client.ts";

/**
 * Runs one statement on the pool under a Prisma client and returns its rows as `pg` parses them
 * (int8 as string, arrays as arrays, timestamptz as Date). For the few statements that run hundreds of
 * times a second (a group commit, a position record): Prisma's raw-query layer costs the hub more CPU per
 * call than PostgreSQL spends on the statement. Same pool, same prepared-statement names as Prisma's.
 */
export type SqlRunner = <Row>(query: Prisma.Sql) => Promise<Row[]>;

export function createSqlRunner(pool: pg.Pool, statementName: ((sql: string) => string) | null): SqlRunner {
  return async <Row>(query: Prisma.Sql) => {
    // `text` is the statement with $1… placeholders (`sql` has `?`).
    const { text, values } = query;
    const result = await pool.query({ ...(statementName ? { name: statementName(text) } : {}), text, values: values as unknown[] });
    return result.rows as Row[];
  };
}
