import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type Router from "@koa/router";
import type { Logger } from "pino";
import type { Readiness } from "./api/api-deps.ts";
import { createApi } from "./api/create-api.ts";
import { createMetricsApp } from "./api/create-metrics-app.ts";
import { partitionIntervalMs, type Config } from "./config/config-schema.ts";
import { createConnectWaker } from "./delivery/create-connect-waker.ts";
import { createDeliveryEngine, type DeliveryEngine } from "./delivery/create-delivery-engine.ts";
import { createHousekeeping } from "./delivery/create-housekeeping.ts";
import { createEmitReadiness } from "./delivery/create-emit-readiness.ts";
import { hubError } from "./errors/hub-error.ts";
import { createOriginPolicy } from "./lib/origin-policy.ts";
import { listen, withTimeout } from "./lifecycle/listen.ts";
import { createRequestTracker } from "./lifecycle/track-requests.ts";
import { createMetrics } from "./metrics/create-metrics.ts";
import { createTokenService } from "./realtime/auth.ts";
import { createLocalConnectionLimiter } from "./realtime/connection-limiter.ts";
import { createRealtime } from "./realtime/create-realtime.ts";
import { createRedisConnectionLimiter } from "./realtime/create-redis-connection-limiter.ts";
import { createRoomEmitter } from "./realtime/create-room-emitter.ts";
import type { HubServer } from "./realtime/events.ts";
import { createInboxBroadcaster } from "./realtime/create-inbox-broadcaster.ts";
import { createInboxHandlers } from "./realtime/inbox-handlers.ts";
import { localUids, userRoom } from "./realtime/rooms.ts";
import { createRedisClients, type RedisClients } from "./redis/create-redis-clients.ts";
import { createPokeChannel, type PokeChannel } from "./redis/create-poke-channel.ts";
import { createSocketAdapter } from "./redis/create-socket-adapter.ts";
import { createRateLimiter } from "./rate-limit/create-rate-limiter.ts";
import { createEnqueuer } from "./store/create-enqueuer.ts";
import { pingDatabase } from "./store/ping-database.ts";
import { createPrisma, type Db } from "./store/prisma.ts";

interface HubOptions {
  config: Config & { databaseUrl: string };
  logger: Logger;
  /** Extra routes served without an API key (the demo page). */
  publicRoutes?: Router[];
}

/** One PostgreSQL pool per kind of work, so none can starve another (DATABASE_POOL_SIZE, DELIVERY_…, CONTROL_…). */
interface HubPools {
  /** Producers' requests and the HTTP API's reads, and clients' `read` events. */
  api: Db;
  /** Claims and progress reports of the delivery engine. */
  delivery: Db;
  /** Connect wake-ups and housekeeping. */
  control: Db;
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

export async function createHub({ config, logger, publicRoutes }: HubOptions): Promise<Hub> {
  const url = config.databaseUrl;
  const pools: HubPools = {
    api: createPrisma({ url, poolSize: config.databasePoolSize }),
    delivery: createPrisma({ url, poolSize: config.deliveryPoolSize }),
    control: createPrisma({ url, poolSize: config.controlPoolSize }),
  };
  const disconnectPools = () => Promise.all(Object.values(pools).map((p: Db) => p.$disconnect().catch(() => undefined)));
  let redis: RedisClients | undefined;
  try {
    redis = config.redisUrl ? await createRedisClients(config.redisUrl, logger) : undefined;
  } catch (error) {
    await disconnectPools();
    throw error;
  }
  const metrics = createMetrics();
  const tokens = createTokenService(config.jwtSecret);
  const requests = createRequestTracker();
  const limits = { perSecond: config.rateLimitPerSecond, burst: config.rateLimitBurst };
  const rateLimiter = createRateLimiter({ limits, prefix: config.redisPrefix, logger, ...(redis ? { redis: redis.pub } : {}) });
  const connections = redis
    ? createRedisConnectionLimiter({ redis: redis.pub, prefix: config.redisPrefix, max: config.maxSocketsPerUid, logger })
    : createLocalConnectionLimiter(config.maxSocketsPerUid);
  const redisReady = () => !redis || (redis.pub.status === "ready" && redis.sub.status === "ready");
  let shuttingDown = false;
  let engine: DeliveryEngine | undefined;
  const instance = randomUUID();
  let pokes: PokeChannel | undefined;
  const nudge = () => engine?.nudge();

  const leaseMs = config.ackTimeoutMs + config.leaseMarginMs;
  const enqueuer = createEnqueuer({
    db: pools.api,
    logger,
    groupCommitMs: config.groupCommitMs,
    groupCommitMaxRows: config.groupCommitMax,
    groupCommitMaxBytes: config.groupCommitMaxBytes,
    groupCommitConcurrency: config.groupCommitConcurrency,
    onStored: (n) => {
      metrics.accepted.inc(n);
      // DRAIN_NUDGE=false leaves new messages to the cron schedule alone (measures cron-only latency).
      if (config.drainNudge) nudge();
    },
    leaseAsk: () => engine?.leaseAsk() ?? { leaseMs, limit: 0, instance: null, window: config.deliveryWindow },
    onStreams: (streams) => engine?.adopt(streams),
  });
  const waker = createConnectWaker({ db: pools.control, logger, nudge });

  // Koa must be the server's request listener before Socket.IO attaches: Socket.IO and engine.io
  // wrap the listeners present at attach time and route everything under /socket.io/ to themselves.
  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.writeHead(503).end();
  const httpServer = createServer((req, res) => handle(req, res));
  const adapter = redis ? createSocketAdapter(redis, config.redisPrefix) : undefined;
  const inbox = createInboxBroadcaster({ io: () => io, db: pools.api, logger, delayMs: config.unreadPushMs });
  const io = createRealtime({
    httpServer,
    logger,
    metrics,
    tokens,
    ...(adapter ? { adapter } : {}),
    onJoin: ({ uid, stillConnected, emitUnread }) => {
      waker.wake(uid, stillConnected);
      inbox.greet(uid, emitUnread);
    },
    inbox: createInboxHandlers({ db: pools.api, logger, broadcaster: inbox }),
    maxHttpBufferSize: 64 * 1024,
    connections,
    maxBufferedPackets: config.socketMaxBufferedPackets,
    allowsOrigin: createOriginPolicy(config.allowedOrigins),
  });

  // ioredis retries every ≤ 2 s, so every instance is subscribed again within about that of Redis's return.
  const emitReadiness = createEmitReadiness({
    clientsReady: redisReady,
    serverCount: () => Promise.resolve(io.of("/").adapter.serverCount()),
    settleMs: 3000,
    onSettled: nudge,
  });
  engine = createDeliveryEngine({
    db: pools.delivery,
    logger,
    metrics,
    emit: createRoomEmitter(io, {
      ackTimeoutMs: config.ackTimeoutMs,
      ready: emitReadiness.ready,
      // Counted when a socket got it (acked or not), so an attempt is counted once, when it is made.
      onReached: (uid, payload) => {
        metrics.delivered.inc();
        inbox.unreadChanged(uid);
        if (payload.attempt > 1) metrics.redelivered.inc();
      },
    }),
    canDeliver: emitReadiness.ready,
    cron: config.drainCron,
    batch: config.drainBatch,
    window: config.deliveryWindow,
    windowBytes: config.deliveryWindowBytes,
    leaseMs,
    leaseSafetyMs: Math.min(config.leaseMarginMs / 2, 1000),
    maxInFlight: config.maxInFlight,
    retryBaseMs: config.retryBaseMs,
    retryMaxMs: config.retryMaxMs,
    flushMs: config.ackFlushMs,
    flushConcurrency: Math.max(1, config.deliveryPoolSize - 1),
    // DRAIN_NUDGE=false: the cron schedule alone delivers (accepts lease nothing either).
    leaseOnAccept: config.drainNudge,
    lingerMs: Math.min(config.deliveryLingerMs, leaseMs / 4),
    recordMs: config.deliveryRecordMs,
    instance,
    pokeRemote: (holder, uids) => pokes?.send(holder, uids),
  });
  const housekeeping = createHousekeeping({
    db: pools.control,
    logger,
    metrics,
    localUids: () => localUids(io),
    nudge,
    retentionMs: config.retention,
    partitionIntervalMs: partitionIntervalMs(config),
    tokenTtlMs: 2 * 60_000,
    onUnreadChanged: (counts) => inbox.unreadCounts(counts),
  });

  if (redis) {
    pokes = await createPokeChannel({
      redis,
      prefix: config.redisPrefix,
      instance,
      logger,
      onPoke: (uids) => engine?.poked(uids),
      onCancelled: (ids) => engine?.cancelled(ids),
    });
  }

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

  const presence = async (uid: string) => {
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
      enqueuer,
      presence,
      readiness,
      signToken: (uid) => tokens.sign(uid),
      isShuttingDown: () => shuttingDown,
      rateLimiter,
      inbox: {
        ...inbox,
        // Without Redis this is the only instance; with it, the broadcast reaches this one too.
        cancelled: (id) => (pokes ? pokes.cancelled([id]) : engine?.cancelled([id])),
      },
    },
    { publicRoutes: publicRoutes ?? [], before: [requests.middleware] },
  );
  handle = app.callback();
  const metricsServer =
    config.metricsPort === undefined
      ? undefined
      : createServer(createMetricsApp({ metrics, token: config.metricsToken, logger }).callback());

  let stopping: Promise<void> | undefined;
  const theEngine = engine;

  return {
    httpServer,
    metricsServer,
    io,
    db: pools.api,
    pools,
    engine: theEngine,
    housekeeping,
    async start() {
      await housekeeping.start();
      // A reconnect storm fills Node's default accept queue (511) in an instant; the kernel then drops
      // new connections (producers' too) and their SYN retries take seconds. The kernel caps this at
      // net.core.somaxconn.
      await listen(httpServer, { port: config.port, host: config.host, backlog: 4096 });
      if (metricsServer) await listen(metricsServer, { port: config.metricsPort, host: config.metricsHost });
      theEngine.start();
      theEngine.nudge();
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
        inbox.close();
        await theEngine.stop(deadline);
        const closed = new Promise<void>((resolve) => io.close(() => resolve()));
        httpServer.closeAllConnections();
        await withTimeout(closed, 2000, undefined);
        connections.close();
        await waker.drain().catch(() => undefined);
        await pokes?.close();
        await disconnectPools();
        await redis?.quit();
        logger.info("hub stopped");
      })();
      return stopping;
    },
  };
}
