import { Redis } from "ioredis";
import type { Logger } from "pino";
import { tryRedis } from "./try-redis.ts";

export interface RedisClients {
  pub: Redis;
  sub: Redis;
  ping(): Promise<boolean>;
  quit(): Promise<void>;
}

function whenReady(client: Redis, timeoutMs: number): Promise<void> {
  if (client.status === "ready") return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis did not become ready within ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      client.off("ready", onReady);
    };
    client.on("ready", onReady);
  });
}

/**
 * The adapter's publisher and subscriber. Both must be `ready` before an adapter is built on them (the
 * sharded adapter breaks otherwise). Errors are logged, never thrown: ioredis reconnects by itself.
 */
export async function createRedisClients(url: string, logger: Logger, readyTimeoutMs = 10000): Promise<RedisClients> {
  const make = (role: string) => {
    const client = new Redis(url, {
      lazyConnect: true,
      maxRetriesPerRequest: null,
      // No auto-pipelining: with no offline queue and no re-send, a pipeline cut off by an outage never
      // completes and every later command waits behind it forever (the publisher stays wedged after
      // Redis returns). While Redis is away the publisher queues nothing (emits, acks and limiter calls
      // fail at once instead of piling up in memory) and never re-sends a command cut off by the
      // outage: a re-sent PUBLISH could deliver an emit twice. The subscriber needs its queue to
      // re-subscribe.
      ...(role === "pub" ? { enableOfflineQueue: false, autoResendUnfulfilledCommands: false } : {}),
      retryStrategy: (times) => Math.min(times * 200, 2000),
      connectionName: `push-hub-${role}`,
    });
    let lastLog = 0;
    client.on("error", (err: Error) => {
      if (Date.now() - lastLog > 5000) logger.warn({ err: err.message, role }, "redis error");
      lastLog = Date.now();
    });
    return client;
  };
  const pub = make("pub");
  const sub = make("sub");
  try {
    await Promise.all([pub.connect(), sub.connect()]);
    await Promise.all([whenReady(pub, readyTimeoutMs), whenReady(sub, readyTimeoutMs)]);
  } catch (error) {
    pub.disconnect();
    sub.disconnect();
    throw new Error(`cannot connect to Redis: ${(error as Error).message}`);
  }
  return {
    pub,
    sub,
    async ping() {
      const attempt = await tryRedis(pub, 1000, () => pub.ping());
      return attempt.ok && attempt.reply === "PONG";
    },
    async quit() {
      // Subscriber first: a request from another instance arriving now would be answered through a
      // publisher that is already closed (an unhandled rejection inside the adapter).
      await sub.quit().catch(() => undefined);
      sub.disconnect();
      await pub.quit().catch(() => undefined);
      pub.disconnect();
    },
  };
}
