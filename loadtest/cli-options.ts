/** Command line → validated, bounded load-test options. Loopback targets only. */
import { parseArgs } from "node:util";
import { z } from "zod";
import { intIn, sharedFlags, sharedInput, sharedOptionFields, validateOptions } from "./shared-options.ts";

const loopbackUrl = z
  .string()
  .url()
  .refine((u) => {
    const host = new URL(u).hostname;
    return host === "localhost" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
  }, "must point at 127.0.0.0/8 or localhost");

export const optionsSchema = z
  .object({
    clients: intIn(1, 200_000).default(1000),
    rate: z.coerce.number().positive().max(200_000).default(500),
    durationSec: z.coerce.number().positive().max(3600).default(20),
    batchSize: intIn(1, 1000).default(1),
    graceSec: z.coerce.number().min(0).max(600).default(10),
    warmupSec: z.coerce.number().min(0).max(600).default(0),
    targets: z.array(loopbackUrl).default([]),
    serverPids: z.array(z.coerce.number().int().positive()).default([]),
    instances: intIn(1, 16).default(1),
    nginx: z.boolean().default(false),
    latePercent: z.coerce.number().min(0).max(100).default(0),
    baseline: z.enum(["off", "also", "only"]).default("off"),
    workers: intIn(0, 32).default(0),
    producers: intIn(0, 8).default(0),
    connectRatePerSec: z.coerce.number().positive().max(100_000).default(1000),
    connectTimeoutMs: intIn(1000, 600_000).default(20_000),
    maxInFlight: intIn(1, 100_000).default(512),
    connectionsPerTarget: intIn(1, 4096).default(64),
    msgBytes: intIn(0, 1_000_000).default(0),
    sourceAddresses: intIn(-1, 254).default(-1),
    apiKey: z.string().min(1).default("dev-key"),
    jwtSecret: z.string().min(1).default("push-hub-dev-secret-not-for-production"),
    ...sharedOptionFields,
    sampleDb: z.boolean().default(false),
    sampleDbIntervalSec: z.coerce.number().min(1).max(600).default(10),
    failOnLoss: z.boolean().default(true),
    /** start a redis-server of the run's own (implies forceRedis) */
    redisServer: z.boolean().default(false),
    cpuHogs: intIn(0, 16).default(0),
    /** hub runs at each of these instance counts, back to back (ascending, distinct) */
    compareInstances: z.array(intIn(1, 16)).max(4).default([]).transform((xs) => [...new Set(xs)].sort((a, b) => a - b)),
    pgTrack: z.enum(["top", "all"]).default("top"),
    /** started hubs export traces (OTEL_EXPORTER_OTLP_ENDPOINT) to a sink in this process that counts them */
    tracing: z.boolean().default(false),
    /** the started hub sends message.delivered webhooks to a sink in this process that counts them */
    webhooks: z.boolean().default(false),
    /** read the servers' live heap (after a full GC, through their inspector) before and after the clients connect */
    liveHeap: z.boolean().default(false),
  })
  .superRefine((o, ctx) => {
    if (o.rate * o.durationSec > 5_000_000) ctx.addIssue({ code: "custom", path: ["rate"], message: "rate × duration is capped at 5,000,000 messages" });
    // every socket is a file descriptor on both ends; processes here are capped at 20,000 open files
    if (o.workers > 0 && o.clients / o.workers > 19_000) ctx.addIssue({ code: "custom", path: ["workers"], message: "more than 19,000 clients per worker would hit the open-files cap" });
    if (o.targets.length === 0 && o.clients / o.instances > 19_000) ctx.addIssue({ code: "custom", path: ["instances"], message: "more than 19,000 clients per hub instance would hit its open-files cap" });
    if (o.serverPids.length > 0 && o.targets.length === 0) ctx.addIssue({ code: "custom", path: ["serverPids"], message: "--server-pid only applies with --target" });
    if (o.sampleDb && (o.targets.length > 0 || o.baseline === "only")) ctx.addIssue({ code: "custom", path: ["sampleDb"], message: "--sample-db needs a hub this run starts (not --target or --baseline-only)" });
    if (o.tracing && (o.targets.length > 0 || o.baseline === "only")) ctx.addIssue({ code: "custom", path: ["tracing"], message: "--tracing needs hubs this run starts (not --target or --baseline-only)" });
    if (o.liveHeap && o.targets.length > 0) ctx.addIssue({ code: "custom", path: ["liveHeap"], message: "--live-heap needs servers this run starts (not --target)" });
    if (o.webhooks && (o.targets.length > 0 || o.baseline === "only")) ctx.addIssue({ code: "custom", path: ["webhooks"], message: "--webhooks needs hubs this run starts (not --target or --baseline-only)" });
    if (o.redisServer && o.targets.length > 0) ctx.addIssue({ code: "custom", path: ["redisServer"], message: "--redis-server needs servers this run starts (not --target)" });
    const counts = o.compareInstances;
    if (counts.length > 0) {
      if (counts.length < 2) ctx.addIssue({ code: "custom", path: ["compareInstances"], message: "--compare-instances needs at least two counts, e.g. 1,2,4" });
      if (o.targets.length > 0 || o.baseline !== "off") ctx.addIssue({ code: "custom", path: ["compareInstances"], message: "--compare-instances runs hubs this run starts: not with --target, --baseline or --baseline-only" });
      if (o.clients / (counts[0] ?? 1) > 19_000) ctx.addIssue({ code: "custom", path: ["compareInstances"], message: "more than 19,000 clients per hub instance would hit its open-files cap" });
      if (o.rate * o.durationSec * counts.length > 5_000_000) ctx.addIssue({ code: "custom", path: ["rate"], message: "rate × duration × instance counts is capped at 5,000,000 messages" });
    }
  });

export type LoadTestOptions = z.output<typeof optionsSchema>;
export type LoadTestInput = z.input<typeof optionsSchema>;

export const usage = `npm run loadtest -- [options]
  --clients N            socket.io clients, each its own uid and JWT (1000)
  --rate R               published messages per second (500)
  --duration D           seconds of publishing (20)
  --batch K              publish through POST /api/messages/batch in batches of K (1 = single API)
  --grace S              seconds to wait for outstanding messages after publishing (10)
  --warmup S             the first S seconds of publishing are sent and checked for loss, but left out of the
                         latency figures (hub and baseline alike: what a freshly connected crowd costs
                         a cold process is not the steady state) (0)
  --uids-offline P%      share of users that connect only after publishing (backlog path) (0)
  --instances K          hub instances to start (1)        --nginx   put nginx in front (ip_hash)
  --target URL[,URL]     use running servers instead of starting hubs; --server-pid PID[,PID] to sample them
  --baseline             also run the bare Socket.IO baseline;  --baseline-only  just the baseline
  --workers W            client worker processes (auto: one per 10,000 clients)
  --producers P          producer processes (auto: one per 3,000 msgs/s single, 20,000 batched; ≤ 4)
  --connect-rate N       client connects per second (1000)   --connect-timeout MS (20000)
  --max-in-flight N      concurrent HTTP requests per producer (512); --connections N per target (64)
  --msg-bytes N          padding added to each msg (0)
  --source-addresses N   spread clients over 127.0.1.1 … 127.0.N.1 (auto: 250 with --nginx, else none)
  --api-key, --jwt-secret        for --target (dev defaults)
  --database-url URL     admin database; each run creates and drops its own beside it
  --redis-url URL        (redis://127.0.0.1:6379); --redis  use Redis with one instance too
  --redis-server         start a redis-server of this run's own on a free port (implies --redis), so
                         Redis command counts and CPU are this run's alone; stopped afterwards
  --hub-env KEY=VALUE    extra env for started hubs (repeatable)
  --hub-node-flag FLAG   extra Node flag for started hubs, not the baseline (repeatable; e.g.
                         --hub-node-flag=--cpu-prof --hub-node-flag=--cpu-prof-dir=/tmp/prof)
  --hub-dist             started hubs run the compiled hub (dist/server/main.js: \`npm run build\` first),
                         as production does, instead of the sources through tsx
  --client-protocol P    frames (default: clients ask for "messages" frames) or message; clients
                         take both events either way; the baseline ignores it
  --cpu-hog N            N busy-loop processes beside the hub run and the baseline run (0)
  --live-heap            servers start with their inspector open; their live heap after a full GC is read
                         before the clients connect and once all are connected (memory per connection)
  --compare-instances L  hub runs at each instance count of L (e.g. 1,2,4; at most 4), back to back,
                         all with Redis; delivered/s, CPU and Redis commands per message side by side
  --pg-track top|all     pg_stat_statements: top-level statements only (top), or also those inside
                         the hub's SQL functions (all)
  --tracing              started hubs run with OpenTelemetry tracing on, exporting over OTLP/HTTP to
                         a sink in this process that counts the spans and discards them
  --webhooks             the started hubs send message.delivered webhooks to a sink in this process
                         (registered over /api/webhooks) that counts events and their lag
  --sample-db            sample the hub's table sizes (messages/deliveries partitions, uid_streams, …)
  --sample-db-interval S seconds between storage samples (10)
  --out DIR              results directory (loadtest/results); --no-report  skip the files
  --name LABEL           name of the result files;  --quiet  no progress line
  --allow-loss           exit 0 even if messages were lost`;

const list = (v: string | undefined) => (v === undefined ? undefined : v.split(",").map((s) => s.trim()).filter(Boolean));

export function parseCliOptions(argv: string[]): LoadTestOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      ...sharedFlags,
      clients: { type: "string" }, rate: { type: "string" }, duration: { type: "string" }, batch: { type: "string" },
      grace: { type: "string" }, warmup: { type: "string" }, target: { type: "string" }, "server-pid": { type: "string" }, instances: { type: "string" },
      nginx: { type: "boolean" }, "uids-offline": { type: "string" }, baseline: { type: "boolean" }, "baseline-only": { type: "boolean" },
      workers: { type: "string" }, producers: { type: "string" }, "connect-rate": { type: "string" }, "connect-timeout": { type: "string" },
      "max-in-flight": { type: "string" }, connections: { type: "string" }, "msg-bytes": { type: "string" },
      "source-addresses": { type: "string" }, "api-key": { type: "string" }, "jwt-secret": { type: "string" },
      "sample-db": { type: "boolean" }, "sample-db-interval": { type: "string" }, "allow-loss": { type: "boolean" },
      "redis-server": { type: "boolean" }, "cpu-hog": { type: "string" }, "compare-instances": { type: "string" }, "pg-track": { type: "string" },
      tracing: { type: "boolean" }, webhooks: { type: "boolean" }, "live-heap": { type: "boolean" },
    },
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const input: LoadTestInput = {
    ...sharedInput(values),
    clients: values.clients, rate: values.rate, durationSec: values.duration, batchSize: values.batch, graceSec: values.grace, warmupSec: values.warmup,
    targets: list(values.target), serverPids: list(values["server-pid"]), instances: values.instances, nginx: values.nginx,
    latePercent: values["uids-offline"]?.replace(/%$/, ""),
    baseline: values["baseline-only"] ? "only" : values.baseline ? "also" : "off",
    workers: values.workers, producers: values.producers, connectRatePerSec: values["connect-rate"],
    connectTimeoutMs: values["connect-timeout"], maxInFlight: values["max-in-flight"], connectionsPerTarget: values.connections,
    msgBytes: values["msg-bytes"], sourceAddresses: values["source-addresses"], apiKey: values["api-key"], jwtSecret: values["jwt-secret"],
    sampleDb: values["sample-db"], sampleDbIntervalSec: values["sample-db-interval"], failOnLoss: values["allow-loss"] ? false : undefined,
    redisServer: values["redis-server"], cpuHogs: values["cpu-hog"], compareInstances: list(values["compare-instances"]),
    pgTrack: values["pg-track"] as LoadTestOptions["pgTrack"] | undefined, tracing: values.tracing,
    webhooks: values.webhooks, liveHeap: values["live-heap"],
  };
  return validateOptions(optionsSchema, input);
}
