import type { ConfigInput } from "../server/config/config-schema.ts";

/** Shared defaults; each environment file overrides some, and every value can be set from the environment. */
const defaults: ConfigInput = {
  port: 9501,
  host: "0.0.0.0",
  // Separate pools: producers' requests, delivery (claims and progress), and control (connect
  // wake-ups, housekeeping), so a reconnect storm or a busy engine never takes ingest's connections.
  databasePoolSize: 10,
  deliveryPoolSize: 4,
  controlPoolSize: 2,
  // Sockets' inbox requests (sync, read, readUpTo) have a pool of their own, so a client flooding them
  // cannot take producers' connections; one uid may run only a few of them at once, cluster-wide.
  inboxPoolSize: 4,
  inboxMaxPerUid: 2,
  // One sync page holds at most this many bytes of messages (and at most `limit` of them).
  syncPageMaxBytes: 1024 * 1024,
  redisPrefix: "push-hub",
  drainCron: "* * * * * *",
  drainBatch: 300,
  drainNudge: true,
  ackTimeoutMs: 5000,
  leaseMarginMs: 2000,
  retryBaseMs: 1000,
  retryMaxMs: 60000,
  maxInFlight: 20000,
  // Per uid: messages (and bytes) sent and not yet acked at once.
  deliveryWindow: 256,
  deliveryWindowBytes: 1024 * 1024,
  // Progress reports of all sessions are written together, one statement at most this often.
  ackFlushMs: 5,
  // A caught-up uid keeps its lease this long (at most a quarter of the lease) for what comes next.
  deliveryLingerMs: 1000,
  // A uid's acked position is written at most this often while its delivery goes on (at once when it ends).
  deliveryRecordMs: 1000,
  // Messages (delivered or not) are kept this long, then leave with their partition.
  retention: "7d",
  partitionInterval: 0,
  messageMaxBytes: 65536,
  bodyMaxBytes: 8 * 1024 * 1024,
  groupCommitMs: 2,
  // One group commit (INSERT) holds at most this many messages and bytes.
  groupCommitMax: 2000,
  groupCommitMaxBytes: 4 * 1024 * 1024,
  // Group commits in flight at once: more requests wait and share the next one (fewer, larger
  // transactions, and none waiting for another's locks on the same uids).
  groupCommitConcurrency: 1,
  trustProxy: false,
  // Seconds, not Node's minutes: a client that stalls its headers or its body holds a connection no longer.
  httpHeadersTimeoutMs: 10_000,
  httpRequestTimeoutMs: 30_000,
  // Below the usual 20,000-descriptor limit, with room for database, Redis and the monitoring listener.
  maxConnections: 15_000,
  // Client tokens may live at most this long ahead (their `exp`).
  jwtMaxTtl: "1d",
  // Requests per second per API key (token bucket, shared through Redis); 0 turns the limit off.
  rateLimitPerSecond: 1000,
  rateLimitBurst: 2000,
  maxSocketsPerUid: 50,
  // A uid's unread count changes within this long reach its sockets as one `unread` event.
  unreadPushMs: 250,
  socketMaxBufferedPackets: 1000,
  logLevel: "info",
  logFormat: "json",
  allowedOrigins: [],
  metricsHost: "127.0.0.1",
  demo: false,
  // Webhook receivers must be public addresses unless this is on (development and test turn it on).
  webhookAllowPrivate: false,
  webhookRetrySchedule: "5s,1m,5m,30m,2h,6h,12h",
  webhookTimeoutMs: 10000,
  webhookMaxInFlight: 4,
  topicFanOutChunk: 2000,
  topicFanOutDuty: 1,
  webhookOfflineDebounceMs: 5000,
  shutdownTimeoutMs: 10000,
  embeddedDataDir: "./data/pg",
  embeddedPort: 0,
};

export default defaults;
