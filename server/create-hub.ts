import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type Router from "@koa/router";
import type { Logger } from "pino";
import type { Readiness } from "./api/api-deps.ts";
import { createApi } from "./api/create-api.ts";
import type { Config } from "./config/config-schema.ts";
import { createBacklog } from "./delivery/create-backlog.ts";
import { createDrainer, type Drainer } from "./delivery/create-drainer.ts";
import { createMessageEmitter, type HubServer } from "./delivery/create-message-emitter.ts";
import { createOutcomeWriter } from "./delivery/create-outcome-writer.ts";
import { createParkedRewaker } from "./delivery/create-parked-rewaker.ts";
import { PresenceUnavailableError } from "./errors/presence-unavailable-error.ts";
import { createRequestTracker } from "./lifecycle/track-requests.ts";
import { createMetrics } from "./metrics/create-metrics.ts";
import { createTokenService } from "./realtime/auth.ts";
import { createLocalConnectionLimiter } from "./realtime/connection-limiter.ts";
import { createRealtime } from "./realtime/create-realtime.ts";
import { createReadHandler } from "./realtime/read-handler.ts";
import { localUids, userRoom } from "./realtime/rooms.ts";
import { createRedisClients, type RedisClients } from "./redis/create-redis-clients.ts";
import { createRedisConnectionLimiter } from "./redis/create-redis-connection-limiter.ts";
import { createSocketAdapter } from "./redis/create-socket-adapter.ts";
import { createRateLimiter } from "./rate-limit/create-rate-limiter.ts";
import { countQueued } from "./store/count-queued.ts";
import { createEnqueuer } from "./store/create-enqueuer.ts";
import { pingDatabase } from "./store/ping-database.ts";
import { createPrisma, type Db } from "./store/prisma.ts";

export interface HubOptions {
  config: Config & { databaseUrl: string };
  logger: Logger;
  /** Extra routes served without an API key (the demo page). */
  publicRoutes?: Router[];
}

export interface Hub {
  readonly httpServer: HttpServer;
  readonly io: HubServer;
  readonly db: Db;
  readonly drainer: Drainer;
  /** Listens on config.port/host and starts the drainer; resolves with the bound port. */
  start(): Promise<number>;
  /** Ordered, idempotent shutdown (DESIGN §4). Resolves when everything is closed. */
  stop(): Promise<void>;
}

const withTimeout = <T>(p: Promise<T>, ms: number, fallback: T) =>
  Promise.race([p, new Promise<T>((r) => setTimeout(() => r(fallback), ms).unref())]);

export async function createHub({ config, logger, publicRoutes }: HubOptions): Promise<Hub> {
  const db = createPrisma({ url: config.databaseUrl, poolSize: config.databasePoolSize });
  let redis: RedisClients | undefined;
  try {
    redis = config.redisUrl ? await createRedisClients(config.redisUrl, logger) : undefined;
  } catch (error) {
    await db.$disconnect();
    throw error;
  }
  const metrics = createMetrics({ queueDepth: () => countQueued(db) });
  const tokens = createTokenService(config.jwtSecret);
  const requests = createRequestTracker();
  const limits = { perSecond: config.rateLimitPerSecond, burst: config.rateLimitBurst };
  const rateLimiter = createRateLimiter({ limits, prefix: config.redisPrefix, logger, ...(redis ? { redis: redis.pub } : {}) });
  const connections = redis
    ? createRedisConnectionLimiter({ redis: redis.pub, prefix: config.redisPrefix, max: config.maxSocketsPerUid, logger })
    : createLocalConnectionLimiter(config.maxSocketsPerUid);
  let shuttingDown = false;
  let drainer: Drainer | undefined;
  const nudge = () => drainer?.nudge();

  const enqueuer = createEnqueuer({
    db,
    logger,
    groupCommitMs: config.groupCommitMs,
    groupCommitMax: config.groupCommitMax,
    onStored: (n) => {
      metrics.accepted.inc(n);
      // DRAIN_NUDGE=false leaves new messages to the cron schedule alone (measures cron-only latency).
      if (config.drainNudge) nudge();
    },
  });

  // Koa must be the server's request listener before Socket.IO attaches: Socket.IO and engine.io
  // wrap the listeners present at attach time and route everything under /socket.io/ to themselves.
  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.writeHead(503).end();
  const httpServer = createServer((req, res) => handle(req, res));
  const adapter = redis ? createSocketAdapter(redis, config.redisPrefix) : undefined;
  const io = createRealtime({
    httpServer,
    logger,
    metrics,
    tokens,
    ...(adapter ? { adapter } : {}),
    onJoin: createBacklog({ db, logger, nudge }),
    onRead: createReadHandler({ db, logger }),
    maxHttpBufferSize: 64 * 1024,
    connections,
    maxBufferedPackets: config.socketMaxBufferedPackets,
  });

  drainer = createDrainer({
    db,
    logger,
    metrics,
    emit: createMessageEmitter(io, config.ackTimeoutMs, () => !redis || (redis.pub.status === "ready" && redis.sub.status === "ready")),
    outcomes: createOutcomeWriter({ db, logger, metrics, retryBaseMs: config.retryBaseMs, retryMaxMs: config.retryMaxMs, onProgress: nudge }),
    cron: config.drainCron,
    batch: config.drainBatch,
    leaseMs: config.ackTimeoutMs + config.leaseMarginMs,
    maxInFlight: config.maxInFlight,
    onTick: createParkedRewaker({ db, logger, localUids: () => localUids(io), nudge, everyMs: 5000 }),
  });

  const readiness = async (): Promise<Readiness> => {
    if (shuttingDown) return { ok: false, checks: { instance: "shutting_down" } };
    const [database, cache] = await Promise.all([
      withTimeout(pingDatabase(db).then(() => true, () => false), 2000, false),
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
      throw new PresenceUnavailableError(error);
    }
  };

  const app = createApi(
    { config, logger, metrics, db, enqueuer, presence, readiness, signToken: (uid) => tokens.sign(uid), isShuttingDown: () => shuttingDown, rateLimiter },
    { publicRoutes: publicRoutes ?? [], before: [requests.middleware] },
  );
  handle = app.callback();

  let stopping: Promise<void> | undefined;
  const theDrainer = drainer;

  return {
    httpServer,
    io,
    db,
    drainer: theDrainer,
    async start() {
      await new Promise<void>((resolve, reject) => {
        httpServer.once("error", reject);
        httpServer.listen(config.port, config.host, () => {
          httpServer.off("error", reject);
          resolve();
        });
      });
      theDrainer.start();
      theDrainer.nudge();
      return (httpServer.address() as AddressInfo).port;
    },
    stop() {
      stopping ??= (async () => {
        const deadline = Date.now() + config.shutdownTimeoutMs - 500;
        shuttingDown = true;
        httpServer.close(); // no new connections; open sockets and requests carry on for now
        httpServer.closeIdleConnections();
        await requests.idle(deadline);
        await enqueuer.drain();
        await theDrainer.stop(deadline);
        const closed = new Promise<void>((resolve) => io.close(() => resolve()));
        httpServer.closeAllConnections();
        await withTimeout(closed, 2000, undefined);
        connections.close();
        await db.$disconnect().catch(() => undefined);
        await redis?.quit();
        logger.info("hub stopped");
      })();
      return stopping;
    },
  };
}
