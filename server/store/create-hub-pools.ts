import type { Config } from "../config/config-schema.ts";
import { createPrisma, type Db } from "./prisma.ts";

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
}

type PoolConfig = Pick<Config, "databasePoolSize" | "inboxPoolSize" | "deliveryPoolSize" | "controlPoolSize">;

export function createHubPools(url: string, config: PoolConfig, preparedStatements: boolean) {
  const pools: HubPools = {
    api: createPrisma({ url, poolSize: config.databasePoolSize, preparedStatements }),
    inbox: createPrisma({ url, poolSize: config.inboxPoolSize, preparedStatements }),
    delivery: createPrisma({ url, poolSize: config.deliveryPoolSize, preparedStatements }),
    control: createPrisma({ url, poolSize: config.controlPoolSize, preparedStatements }),
  };
  const disconnect = () => Promise.all(Object.values(pools).map((p: Db) => p.$disconnect().catch(() => undefined)));
  return { pools, disconnect };
}
