import { validateCronExpression } from "cron";
import { z } from "zod";
import { parseRetrySchedule } from "../webhooks/retry-schedule.ts";

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const bool = z.union([z.boolean(), z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1")]);
const list = z.union([
  z.array(z.string()),
  z.string().transform((s) => s.split(",").map((k) => k.trim()).filter((k) => k.length > 0)),
]);
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** A duration: a number of seconds, or a number with a unit (ms, s, m, h, d), e.g. "7d", "90s". Parsed to ms. */
const duration = z.union([
  z.number().nonnegative().transform((s) => s * 1000),
  z
    .string()
    .regex(/^\d+(\.\d+)?(ms|s|m|h|d)?$/, 'must be seconds or a number with a unit: "500ms", "30s", "15m", "12h", "7d"')
    .transform((v) => {
      const [, n, unit] = /^([\d.]+)(ms|s|m|h|d)?$/.exec(v) as RegExpExecArray;
      return Number(n) * UNIT_MS[(unit ?? "s") as keyof typeof UNIT_MS];
    }),
]);
const postgresUrl = z.string().regex(/^postgres(ql)?:\/\//, "must be a postgresql:// URL");
const redisUrl = z.string().regex(/^rediss?:\/\//, "must be a redis:// URL");
/** "*" or a browser origin: scheme://host[:port], no path. */
const origin = z.string().regex(/^(\*|https?:\/\/[^/\s]+)$/, 'each must be "*" or an origin such as https://app.example.com');

export const configSchema = z
  .object({
    env: z.enum(["development", "test", "production"]),
    port: int(0, 65535),
    host: z.string().min(1),
    databaseUrl: postgresUrl.optional(),
    databasePoolSize: int(1, 200),
    deliveryPoolSize: int(1, 100),
    controlPoolSize: int(1, 100),
    /** Connections of the sockets' inbox requests (sync, read, readUpTo): never the producers' pool. */
    inboxPoolSize: int(1, 100),
    /** Inbox requests of one uid running at once, across instances when Redis is configured. */
    inboxMaxPerUid: int(1, 1000),
    /** Bytes of `msg` one sync page holds at most (always at least one message). */
    syncPageMaxBytes: int(1024, 64 * 1024 * 1024),
    redisUrl: redisUrl.optional(),
    redisPrefix: z.string().regex(/^[A-Za-z0-9:_.-]{1,64}$/, "letters, digits and :_.- only"),
    jwtSecret: z.string().min(16, "must be at least 16 characters"),
    /** Client tokens whose `exp` lies further ahead than this are refused (ms). */
    jwtMaxTtl: duration.pipe(z.number().min(60_000, "must be at least 1 minute")),
    /** Set: client tokens must carry this `aud` / `iss`. */
    jwtAudience: z.string().min(1).optional(),
    jwtIssuer: z.string().min(1).optional(),
    apiKeys: list.pipe(z.array(z.string().min(1)).min(1, "needs at least one key")),
    drainCron: z.string().refine((s) => validateCronExpression(s).valid, "must be a cron expression (with seconds)"),
    drainBatch: int(1, 10000),
    drainNudge: bool,
    ackTimeoutMs: int(50, 600000),
    leaseMarginMs: int(0, 600000),
    retryBaseMs: int(10, 3600000),
    retryMaxMs: int(10, 86400000),
    maxInFlight: int(1, 1000000),
    deliveryWindow: int(1, 10000),
    deliveryWindowBytes: int(1024, 64 * 1024 * 1024),
    ackFlushMs: int(0, 1000),
    deliveryLingerMs: int(0, 600000),
    deliveryRecordMs: int(0, 60000),
    retention: duration.pipe(z.number().min(1000, "must be at least 1 s")),
    /** 0 = derived from retention (a seventh of it, between 1 minute and 1 day). */
    partitionInterval: duration.pipe(z.number().min(0)),
    messageMaxBytes: int(16, 16 * 1024 * 1024),
    bodyMaxBytes: int(1024, 256 * 1024 * 1024),
    groupCommitMs: int(0, 1000),
    groupCommitMax: int(1, 100000),
    groupCommitMaxBytes: int(1024, 256 * 1024 * 1024),
    groupCommitConcurrency: int(1, 64),
    trustProxy: bool,
    /** Headers of a request (or a new connection's first bytes) must arrive within this (ms). */
    httpHeadersTimeoutMs: int(1000, 600_000),
    /** A whole request, headers and body, must arrive within this (ms). */
    httpRequestTimeoutMs: int(1000, 3_600_000),
    /** TCP connections on PORT (HTTP and Socket.IO) this process holds at once; past it, 503 too_many_connections. */
    maxConnections: int(1, 1_000_000),
    rateLimitPerSecond: int(0, 1_000_000),
    rateLimitBurst: int(1, 10_000_000),
    maxSocketsPerUid: int(1, 100_000),
    unreadPushMs: int(0, 60_000),
    socketMaxBufferedPackets: int(10, 1_000_000),
    logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]),
    /** pretty: pino-pretty's human lines (development default); json: one JSON object per line. */
    logFormat: z.enum(["json", "pretty"]),
    /** Browser origins allowed to call the HTTP API and open sockets; same-origin pages always may. */
    allowedOrigins: list.pipe(z.array(origin)),
    /** Set: /metrics is served only on this port (on METRICS_HOST), not on PORT. */
    metricsPort: int(1, 65535).optional(),
    metricsHost: z.string().min(1),
    /** Set: /metrics answers only `Authorization: Bearer <token>`. */
    metricsToken: z.string().min(16, "must be at least 16 characters").optional(),
    /** Set: OpenTelemetry tracing on, exporting there (the SDK reads the variable and the other OTEL_* ones itself). */
    otlpEndpoint: z.string().regex(/^https?:\/\//, "must be an http:// or https:// URL").optional(),
    /** POST /api/dev/token is mounted (derived: development/test, and not an exposed development hub). */
    devToken: bool,
    demo: bool,
    /** Webhook URLs may point at loopback, private and link-local addresses (development and test default). */
    webhookAllowPrivate: bool,
    /** Delays before each retry of a failed webhook POST (the list's length is the number of retries). */
    webhookRetrySchedule: z.string().transform((text, ctx) => {
      try {
        return parseRetrySchedule(text);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
        return z.NEVER;
      }
    }),
    /** One webhook POST (connect, answer, body) must finish within this (ms). */
    webhookTimeoutMs: int(100, 120_000),
    /** POSTs to one endpoint in flight at once, across instances. */
    webhookMaxInFlight: int(1, 100),
    /** A uid's last socket must stay gone this long before user.offline is sent (ms). */
    webhookOfflineDebounceMs: int(0, 600_000),
    /** Recipients one transaction of a topic publish's fan-out gives their message (docs/api.md § Topic messages, docs/design.md §8). */
    topicFanOutChunk: int(1, 50_000),
    /**
     * The share of its time a fan-out spends writing (0 < duty ≤ 1): after a chunk that took d ms it
     * waits d·(1 − duty)/duty ms, leaving the database and the box to other traffic meanwhile.
     */
    topicFanOutDuty: z.coerce.number().gt(0, "must be above 0").max(1, "must be at most 1"),
    shutdownTimeoutMs: int(100, 600000),
    embeddedDataDir: z.string().min(1),
    embeddedPort: int(0, 65535),
  })
  .superRefine((c, ctx) => {
    if (c.env === "production" && !c.databaseUrl) {
      ctx.addIssue({ code: "custom", path: ["databaseUrl"], message: "required in production" });
    }
    if (c.env === "production" && c.apiKeys.some((k) => k.length < 16)) {
      ctx.addIssue({ code: "custom", path: ["apiKeys"], message: "each key must be at least 16 characters in production" });
    }
    if (c.partitionInterval > 0 && c.partitionInterval < 1000) {
      ctx.addIssue({ code: "custom", path: ["partitionInterval"], message: "must be 0 (derived) or at least 1 s" });
    }
    if (c.deliveryWindow >= c.socketMaxBufferedPackets) {
      // a full window is written to a socket at once: it must not look like a socket that stopped reading
      ctx.addIssue({ code: "custom", path: ["deliveryWindow"], message: "must be below SOCKET_MAX_BUFFERED_PACKETS" });
    }
    if (c.httpHeadersTimeoutMs > c.httpRequestTimeoutMs) {
      ctx.addIssue({ code: "custom", path: ["httpHeadersTimeoutMs"], message: "must be ≤ HTTP_REQUEST_TIMEOUT_MS" });
    }
    if (c.retryMaxMs < c.retryBaseMs) {
      ctx.addIssue({ code: "custom", path: ["retryMaxMs"], message: "must be ≥ RETRY_BASE_MS" });
    }
  });

export type Config = z.output<typeof configSchema>;

/** How long one partition of the message log stays open: PARTITION_INTERVAL, or a seventh of RETENTION within [1 min, 1 day]. */
export function partitionIntervalMs(c: Pick<Config, "retention" | "partitionInterval">): number {
  if (c.partitionInterval > 0) return c.partitionInterval;
  return Math.min(86_400_000, Math.max(60_000, Math.floor(c.retention / 7)));
}
/** What config/*.ts files and the environment provide before validation. */
export type ConfigInput = { [K in keyof Config]?: Config[K] | string };
