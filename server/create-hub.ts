import { randomUUID } from "node:crypto";
import type { IncomingMessage, Server as HttpServer, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type Router from "@koa/router";
import type { Logger } from "pino";
import type { Readiness } from "./api/api-deps.ts";
import { createApi } from "./api/create-api.ts";
import { createMetricsApp } from "./api/create-metrics-app.ts";
import { partitionIntervalMs, type Config } from "./config/config-schema.ts";
import { createDeliveryEngine, type DeliveryEngine } from "./delivery/create-delivery-engine.ts";
import { createHousekeeping } from "./delivery/create-housekeeping.ts";
import { hubError } from "./errors/hub-error.ts";
import { createOriginPolicy } from "./lib/origin-policy.ts";
import { createHttpServer } from "./lifecycle/create-http-server.ts";
import { listen, withTimeout } from "./lifecycle/listen.ts";
import { createRequestTracker } from "./lifecycle/track-requests.ts";
import { createMetrics } from "./metrics/create-metrics.ts";
import { createTokenService } from "./realtime/auth.ts";
import { createTopicRooms } from "./realtime/create-topic-rooms.ts";
import { createTopicHandlers } from "./realtime/topic-handlers.ts";
import { createLocalConnectionLimiter } from "./realtime/connection-limiter.ts";
import { createRealtime } from "./realtime/create-realtime.ts";
import { createRedisConnectionLimiter } from "./realtime/create-redis-connection-limiter.ts";
import type { HubServer } from "./realtime/events.ts";
import { createInboxBroadcaster } from "./realtime/create-inbox-broadcaster.ts";
import { createInboxHandlers } from "./realtime/inbox-handlers.ts";
import { createInboxSlots } from "./realtime/create-inbox-slots.ts";
import { userRoom } from "./realtime/rooms.ts";
import { createRedisClients, type RedisClients } from "./redis/create-redis-clients.ts";
import { createInstanceChannel } from "./redis/create-instance-channel.ts";
import { createSocketAdapter } from "./redis/create-socket-adapter.ts";
import { createRateLimiter } from "./rate-limit/create-rate-limiter.ts";
import { createEnqueuer } from "./store/create-enqueuer.ts";
import { pingDatabase, warmPool } from "./store/ping-database.ts";
import { createHubPools, type HubPools } from "./store/create-hub-pools.ts";
import type { Db } from "./store/prisma.ts";
import type { MessageTracer } from "./tracing/message-tracer.ts";
import { createLocalPresenceTracker } from "./realtime/presence/create-local-presence-tracker.ts";
import { createRedisPresenceTracker } from "./realtime/presence/create-redis-presence-tracker.ts";
import { createWebhooks } from "./webhooks/create-webhooks.ts";
import { createTopicFanOut } from "./topics/create-topic-fan-out.ts";

/** Most messages one frame (or batch of `message` events) to a socket carries. */
const FRAME_MAX_MESSAGES = 100;

interface HubOptions {
  config: Config & { databaseUrl: string };
  /**
   * False for the embedded database: PGlite serves every connection from one session, so a statement
   * one connection prepares already exists for the next (default true).
   */
  preparedStatements?: boolean;
  logger: Logger;
  /** Extra routes served without an API key (the demo page). */
  publicRoutes?: Router[];
  /** Spans of each message's accept, commit, emit and ack (only with OTEL_EXPORTER_OTLP_ENDPOINT: main.ts). */
  tracer?: MessageTracer;
}

export interface Hub {
  readonly httpServer: HttpServer;
  /** The METRICS_PORT listener, when one is configured. */
  readonly metricsServer: HttpServer | undefined;
  readonly io: HubServer;
  /** The API pool (tests read through it). */
  readonly db: Db;
  readonly pools: HubPools;
  readonly engine: DeliveryEngine;
  readonly housekeeping: ReturnType<typeof createHousekeeping>;
  /** Listens on config.port/host and starts delivery; resolves with the bound port. */
  start(): Promise<number>;
  /** Ordered, idempotent shutdown. Resolves when everything is closed. */
  stop(): Promise<void>;
}

export async function createHub({ config, preparedStatements = true, logger, publicRoutes, tracer }: HubOptions): Promise<Hub> {
  const { pools, disconnect: disconnectPools } = createHubPools(config.databaseUrl, config, preparedStatements);
  let redis: RedisClients | undefined;
  try {
    redis = config.redisUrl ? await createRedisClients(config.redisUrl, logger) : undefined;
  } catch (error) {
    await disconnectPools();
    throw error;
  }
  const instance = randomUUID();
  const metrics = createMetrics();
  const tokens = createTokenService(config);
  const requests = createRequestTracker();
  const limits = { perSecond: config.rateLimitPerSecond, burst: config.rateLimitBurst };
  const rateLimiter = createRateLimiter({ limits, prefix: config.redisPrefix, logger, ...(redis ? { redis: redis.pub } : {}) });
  const connections = redis
    ? createRedisConnectionLimiter({ redis: redis.pub, prefix: config.redisPrefix, instance, max: config.maxSocketsPerUid, logger })
    : createLocalConnectionLimiter(config.maxSocketsPerUid);
  const webhooks = createWebhooks({ config, db: pools.control, logger, metrics });
  const presenceDeps = { record: webhooks.recordPresence, wanted: webhooks.wantsPresence, debounceMs: config.webhookOfflineDebounceMs, logger };
  const presence = redis
    ? createRedisPresenceTracker({ ...presenceDeps, redis: redis.pub, prefix: config.redisPrefix, instance })
    : createLocalPresenceTracker(presenceDeps);
  const channel = redis ? await createInstanceChannel({ redis, prefix: config.redisPrefix, instance, logger }) : undefined;
  let shuttingDown = false;

  const aliveMs = Math.max(3000, config.ackTimeoutMs + config.leaseMarginMs);
  const engine = createDeliveryEngine({
    db: pools.delivery,
    sql: pools.sql.delivery,
    controlDb: pools.control,
    logger,
    metrics,
    instance,
    cron: config.drainCron,
    batch: config.drainBatch,
    window: config.deliveryWindow,
    windowBytes: config.deliveryWindowBytes,
    batchMax: FRAME_MAX_MESSAGES,
    ackTimeoutMs: config.ackTimeoutMs,
    aliveMs,
    aliveSafetyMs: Math.min(1000, aliveMs / 4),
    maxInFlight: config.maxInFlight,
    retryBaseMs: config.retryBaseMs,
    retryMaxMs: config.retryMaxMs,
    flushMs: config.ackFlushMs,
    flushConcurrency: Math.max(1, config.deliveryPoolSize - 1),
    offlineGraceMs: config.deliveryLingerMs,
    recordMs: config.deliveryRecordMs,
    ...(channel ? { relay: channel } : {}),
    locate: (uid) => connections.instancesOf(uid),
    nudgeDrain: config.drainNudge,
    ...(tracer ? { tracer } : {}),
  });
  channel?.listen({ onNotices: (from, notices) => notices.forEach((n) => engine.relayed(from, n)), onCancelled: (ids) => engine.cancelled(ids) });

  const enqueuer = createEnqueuer({
    db: pools.api,
    sql: pools.sql.api,
    logger,
    groupCommitMs: config.groupCommitMs,
    groupCommitMaxRows: config.groupCommitMax,
    groupCommitMaxBytes: config.groupCommitMaxBytes,
    groupCommitConcurrency: config.groupCommitConcurrency,
    onStored: (n) => metrics.accepted.inc(n),
    onHeld: (held) => engine.accepted(held),
    observe: (phase, seconds) => metrics.phase(phase, seconds),
    ...(tracer ? { traceCommit: tracer.commit } : {}),
  });

  const fanOut = createTopicFanOut({
    db: pools.control,
    logger,
    chunk: config.topicFanOutChunk,
    duty: config.topicFanOutDuty,
    onHeld: (held) => engine.accepted(held),
    onFannedOut: (n) => metrics.topicFannedOut.inc(n),
  });

  // Koa must be the server's request listener before Socket.IO attaches: Socket.IO and engine.io
  // wrap the listeners present at attach time and route everything under /socket.io/ to themselves.
  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.writeHead(503).end();
  const httpServer = createHttpServer(config, (req, res) => handle(req, res), { logger, onRefused: () => metrics.connectionsRefused.inc() });
  const adapter = redis ? createSocketAdapter(redis, config.redisPrefix) : undefined;
  const inbox = createInboxBroadcaster({ io: () => io, db: pools.api, logger, delayMs: config.unreadPushMs });
  const topicRooms = createTopicRooms({ io: () => io, logger });
  const inboxSlots = createInboxSlots({ max: config.inboxMaxPerUid, prefix: config.redisPrefix, logger, ...(redis ? { redis: redis.pub } : {}) });
  const io = createRealtime({
    httpServer,
    logger,
    metrics,
    tokens,
    ...(adapter ? { adapter } : {}),
    onJoin: ({ uid, target, emitUnread }) => {
      engine.socketJoined(uid, target);
      inbox.greet(uid, emitUnread);
      presence.joined(uid, target.key);
    },
    onLeave: (uid, socketId) => {
      engine.socketLeft(uid, socketId);
      presence.left(uid, socketId);
    },
    inbox: createInboxHandlers({ db: pools.inbox, logger, metrics, broadcaster: inbox, slots: inboxSlots, pageMaxBytes: config.syncPageMaxBytes }),
    topics: createTopicHandlers({ db: pools.inbox, logger, rooms: topicRooms, fanOut }),
    maxHttpBufferSize: 64 * 1024,
    connections,
    maxBufferedPackets: config.socketMaxBufferedPackets,
    allowsOrigin: createOriginPolicy(config.allowedOrigins),
  });

  const housekeeping = createHousekeeping({
    db: pools.control,
    logger,
    metrics,
    recheck: () => engine.recheck(),
    nudge: () => engine.nudge(),
    retentionMs: config.retention,
    partitionIntervalMs: partitionIntervalMs(config),
    tokenTtlMs: 2 * 60_000,
    onUnreadChanged: (counts) => inbox.unreadChangedMany(counts.keys()),
  });

  const readiness = async (): Promise<Readiness> => {
    if (shuttingDown) return { ok: false, checks: { instance: "shutting_down" } };
    const [database, cache] = await Promise.all([
      withTimeout(pingDatabase(pools.api).then(() => true, () => false), 2000, false),
      redis ? redis.ping() : Promise.resolve(null),
    ]);
    const checks: Readiness["checks"] = { database: database ? "ok" : "down" };
    if (cache !== null) checks.redis = cache ? "ok" : "down";
    return { ok: Object.values(checks).every((c) => c === "ok"), checks };
  };

  // pushhub_ready: the /readyz verdict, checked at each scrape (a stale value would hide an outage).
  metrics.reportReadiness(async () => (await readiness()).ok);

  const presenceOf = async (uid: string) => {
    try {
      return (await io.in(userRoom(uid)).fetchSockets()).length;
    } catch (error) {
      throw hubError("presence_unavailable", undefined, { cause: error });
    }
  };

  const app = createApi(
    {
      config,
      logger,
      metrics,
      db: pools.api,
      enqueuer: tracer ? tracer.traceAccepts(enqueuer) : enqueuer,
      presence: presenceOf,
      readiness,
      signToken: (uid, topics) => tokens.sign(uid, undefined, topics),
      isShuttingDown: () => shuttingDown,
      rateLimiter,
      topics: topicRooms,
      fanOut,
      inbox: {
        ...inbox,
        // Without Redis this is the only instance; with it, the broadcast reaches this one too.
        cancelled: (ids) => (channel ? channel.cancelled(ids) : engine.cancelled(ids)),
      },
    },
    { publicRoutes: publicRoutes ?? [], before: [requests.middleware] },
  );
  handle = app.callback();
  const metricsServer =
    config.metricsPort === undefined
      ? undefined
      : createHttpServer(config, createMetricsApp({ metrics, token: config.metricsToken, logger, readiness }).callback());

  let stopping: Promise<void> | undefined;

  return {
    httpServer,
    metricsServer,
    io,
    db: pools.api,
    pools,
    engine,
    housekeeping,
    async start() {
      await housekeeping.start();
      // A reconnect storm fills Node's default accept queue (511) in an instant; the kernel then drops
      // new connections (producers' too) and their SYN retries take seconds. The kernel caps this at
      // net.core.somaxconn.
      // The instance must be alive (in hub_instances) before a connect may grant it anything.
      await engine.start();
      await webhooks.start();
      fanOut.start();
      // A few connections of the busiest pools open now, not on the first requests (the rest as load needs).
      await Promise.all([warmPool(pools.api, Math.min(4, config.databasePoolSize)), warmPool(pools.delivery, Math.min(2, config.deliveryPoolSize))]);
      await listen(httpServer, { port: config.port, host: config.host, backlog: 4096 });
      if (metricsServer) await listen(metricsServer, { port: config.metricsPort, host: config.metricsHost });
      return (httpServer.address() as AddressInfo).port;
    },
    stop() {
      stopping ??= (async () => {
        const deadline = Date.now() + config.shutdownTimeoutMs - 500;
        shuttingDown = true;
        httpServer.close(); // no new connections; open sockets and requests carry on for now
        metricsServer?.close();
        metricsServer?.closeAllConnections();
        httpServer.closeIdleConnections();
        await requests.idle(deadline);
        await enqueuer.drain();
        await housekeeping.stop();
        await webhooks.stop();
        await fanOut.stop();
        await presence.close();
        inbox.close();
        await withTimeout(engine.stop(), Math.max(500, deadline - Date.now()), undefined);
        const closed = new Promise<void>((resolve) => io.close(() => resolve()));
        httpServer.closeAllConnections();
        await withTimeout(closed, 2000, undefined);
        connections.close();
        await channel?.close();
        await disconnectPools();
        await redis?.quit();
        logger.info("hub stopped");
      })();
      return stopping;
    },
  };
}
