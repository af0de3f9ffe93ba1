import { validateCronExpression } from "cron";
import { z } from "zod";

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const bool = z.union([z.boolean(), z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1")]);
const list = z.union([
  z.array(z.string()),
  z.string().transform((s) => s.split(",").map((k) => k.trim()).filter((k) => k.length > 0)),
]);
const postgresUrl = z.string().regex(/^postgres(ql)?:\/\//, "must be a postgresql:// URL");
const redisUrl = z.string().regex(/^rediss?:\/\//, "must be a redis:// URL");

export const configSchema = z
  .object({
    env: z.enum(["development", "test", "production"]),
    port: int(0, 65535),
    host: z.string().min(1),
    databaseUrl: postgresUrl.optional(),
    databasePoolSize: int(1, 200),
    redisUrl: redisUrl.optional(),
    redisPrefix: z.string().regex(/^[A-Za-z0-9:_.-]{1,64}$/, "letters, digits and :_.- only"),
    jwtSecret: z.string().min(16, "must be at least 16 characters"),
    apiKeys: list.pipe(z.array(z.string().min(1)).min(1, "needs at least one key")),
    drainCron: z.string().refine((s) => validateCronExpression(s).valid, "must be a cron expression (with seconds)"),
    drainBatch: int(1, 10000),
    drainNudge: bool,
    ackTimeoutMs: int(50, 600000),
    leaseMarginMs: int(0, 600000),
    retryBaseMs: int(10, 3600000),
    retryMaxMs: int(10, 86400000),
    maxInFlight: int(1, 1000000),
    messageMaxBytes: int(16, 16 * 1024 * 1024),
    bodyMaxBytes: int(1024, 256 * 1024 * 1024),
    groupCommitMs: int(0, 1000),
    groupCommitMax: int(1, 10000),
    trustProxy: bool,
    rateLimitPerSecond: int(0, 1_000_000),
    rateLimitBurst: int(1, 10_000_000),
    maxSocketsPerUid: int(1, 100_000),
    socketMaxBufferedPackets: int(10, 1_000_000),
    logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]),
    demo: bool,
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
    if (c.retryMaxMs < c.retryBaseMs) {
      ctx.addIssue({ code: "custom", path: ["retryMaxMs"], message: "must be ≥ RETRY_BASE_MS" });
    }
  });

export type Config = z.output<typeof configSchema>;
/** What config/*.ts files and the environment provide before validation. */
export type ConfigInput = { [K in keyof Config]?: Config[K] | string };
