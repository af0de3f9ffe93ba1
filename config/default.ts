import type { ConfigInput } from "../server/config/config-schema.ts";

/** Shared defaults; each environment file overrides some, and every value can be set from the environment. */
const defaults: ConfigInput = {
  port: 9501,
  host: "0.0.0.0",
  databasePoolSize: 10,
  redisPrefix: "push-hub",
  drainCron: "* * * * * *",
  drainBatch: 300,
  drainNudge: true,
  ackTimeoutMs: 5000,
  leaseMarginMs: 2000,
  retryBaseMs: 1000,
  retryMaxMs: 60000,
  maxInFlight: 20000,
  messageMaxBytes: 65536,
  bodyMaxBytes: 8 * 1024 * 1024,
  groupCommitMs: 2,
  groupCommitMax: 1000,
  trustProxy: false,
  // Requests per second per API key (token bucket, shared through Redis); 0 turns the limit off.
  rateLimitPerSecond: 1000,
  rateLimitBurst: 2000,
  maxSocketsPerUid: 50,
  socketMaxBufferedPackets: 1000,
  logLevel: "info",
  demo: false,
  shutdownTimeoutMs: 10000,
  embeddedDataDir: "./data/pg",
  embeddedPort: 0,
};

export default defaults;
