import type { Config } from "../config/config-schema.ts";
import { createDatabase, type Db } from "./prisma.ts";
import type { SqlRunner } from "./sql-runner.ts";

/** One PostgreSQL pool per kind of work, so none can starve another (DATABASE_POOL_SIZE, INBOX_…, DELIVERY_…, CONTROL_…). */
export interface HubPools {
  /** Producers' requests and the HTTP API's reads. */
  api: Db;
  /** Clients' inbox requests (sync, read, readUpTo). */
  inbox: Db;
  /** Claims and progress reports of the delivery engine. */
  delivery: Db;
  /** Connect wake-ups, housekeeping and webhooks. */
  control: Db;
  /** The hot statements on the api pool (group commits) and the delivery pool (position records). */
  sql: { api: SqlRunner; delivery: SqlRunner };
}

type PoolConfig = Pick<Config, "databasePoolSize" | "inboxPoolSize" | "deliveryPoolSize" | "controlPoolSize">;

export function createHubPools(url: string, config: PoolConfig, preparedStatements: boolean) {
  const open = (poolSize: number) => createDatabase({ url, poolSize, preparedStatements });
  const api = open(config.databasePoolSize);
  const inbox = open(config.inboxPoolSize);
  const delivery = open(config.deliveryPoolSize);
  const control = open(config.controlPoolSize);
  const pools: HubPools = { api: api.db, inbox: inbox.db, delivery: delivery.db, control: control.db, sql: { api: api.sql, delivery: delivery.sql } };
  const disconnect = () => Promise.all([api, inbox, delivery, control].map((d) => d.end()));
  return { pools, disconnect };
}
