import type { Config } from "./config-schema.ts";

/** Environment variable → config key. Every config value can be overridden from the environment. */
export const envVars = {
  PORT: "port",
  HOST: "host",
  DATABASE_URL: "databaseUrl",
  DATABASE_POOL_SIZE: "databasePoolSize",
  DELIVERY_POOL_SIZE: "deliveryPoolSize",
  CONTROL_POOL_SIZE: "controlPoolSize",
  REDIS_URL: "redisUrl",
  REDIS_PREFIX: "redisPrefix",
  HUB_JWT_SECRET: "jwtSecret",
  HUB_API_KEYS: "apiKeys",
  DRAIN_CRON: "drainCron",
  DRAIN_BATCH: "drainBatch",
  DRAIN_NUDGE: "drainNudge",
  ACK_TIMEOUT_MS: "ackTimeoutMs",
  LEASE_MARGIN_MS: "leaseMarginMs",
  RETRY_BASE_MS: "retryBaseMs",
  RETRY_MAX_MS: "retryMaxMs",
  MAX_IN_FLIGHT: "maxInFlight",
  DELIVERY_WINDOW: "deliveryWindow",
  DELIVERY_WINDOW_BYTES: "deliveryWindowBytes",
  ACK_FLUSH_MS: "ackFlushMs",
  DELIVERY_LINGER_MS: "deliveryLingerMs",
  DELIVERY_RECORD_MS: "deliveryRecordMs",
  RETENTION: "retention",
  PARTITION_INTERVAL: "partitionInterval",
  MESSAGE_MAX_BYTES: "messageMaxBytes",
  BODY_MAX_BYTES: "bodyMaxBytes",
  GROUP_COMMIT_MS: "groupCommitMs",
  GROUP_COMMIT_MAX: "groupCommitMax",
  GROUP_COMMIT_MAX_BYTES: "groupCommitMaxBytes",
  GROUP_COMMIT_CONCURRENCY: "groupCommitConcurrency",
  TRUST_PROXY: "trustProxy",
  RATE_LIMIT_PER_SECOND: "rateLimitPerSecond",
  RATE_LIMIT_BURST: "rateLimitBurst",
  MAX_SOCKETS_PER_UID: "maxSocketsPerUid",
  SOCKET_MAX_BUFFERED_PACKETS: "socketMaxBufferedPackets",
  LOG_LEVEL: "logLevel",
  HUB_DEMO: "demo",
  SHUTDOWN_TIMEOUT_MS: "shutdownTimeoutMs",
  EMBEDDED_PG_DIR: "embeddedDataDir",
  EMBEDDED_PG_PORT: "embeddedPort",
} as const satisfies Record<string, Exclude<keyof Config, "env">>;

export function envVarOf(key: string): string {
  const hit = Object.entries(envVars).find(([, k]) => k === key);
  return hit ? hit[0] : key;
}
