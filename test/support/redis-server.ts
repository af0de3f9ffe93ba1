import { Redis } from "ioredis";
import { awaitReady } from "../../loadtest/support/await-ready.ts";
import { freePort } from "../../loadtest/support/free-port.ts";
import { spawnWatched, type WatchedChild } from "../../loadtest/support/watched-child.ts";

export interface RedisServer {
  port: number;
  url: string;
  output(): string;
  /** SIGKILL (an outage: no goodbye to the clients), resolves once it has exited. */
  kill(): Promise<void>;
  /** Starts it again on the same port (empty: no persistence), resolves when it answers PING. */
  start(): Promise<void>;
  /** Stops it for good. */
  stop(): Promise<void>;
}

export const REDIS_SERVER_BIN = process.env.REDIS_SERVER_BIN ?? "redis-server";

async function pong(port: number): Promise<boolean> {
  const r = new Redis({ port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on("error", () => undefined);
  try {
    await r.connect();
    return (await r.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

/** A throw-away redis-server on its own port: `--save "" --appendonly no`, so a restart starts empty. */
export async function startRedisServer(port?: number): Promise<RedisServer> {
  const p = port ?? (await freePort());
  let current!: WatchedChild;
  let earlier = "";
  const launch = async () => {
    if (current) earlier = (earlier + current.output()).slice(-10_000);
    current = spawnWatched(REDIS_SERVER_BIN, ["--port", String(p), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { keepChars: 10_000 });
    await awaitReady(current, () => pong(p), { what: `redis-server on :${p}`, timeoutMs: 10_000, everyMs: 50 });
  };
  const kill = async () => {
    if (current.running()) await current.stop("SIGKILL");
  };
  await launch();
  return {
    port: p,
    url: `redis://127.0.0.1:${p}`,
    output: () => (earlier + current.output()).slice(-10_000),
    kill,
    start: launch,
    stop: kill,
  };
}
