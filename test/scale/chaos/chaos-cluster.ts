import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../../loadtest/support/free-port.ts";
import { startHubProcess } from "../../../loadtest/support/hub-process.ts";
import type { ServiceProcess } from "../../../loadtest/support/service-process.ts";
import { sleep } from "../../../loadtest/support/wait-for.ts";
import { createTestDatabase, type TestDatabase } from "../../support/database.ts";
import { startRedisServer, type RedisServer } from "../../support/redis-server.ts";
import { uniquePrefix } from "../../support/test-hub.ts";

/** Delivery timeouts short enough that a crash's redeliveries settle within a schedule, long enough for a loaded box. */
export const CHAOS_DELIVERY_ENV = {
  ACK_TIMEOUT_MS: "2000",
  LEASE_MARGIN_MS: "1000",
  RETRY_BASE_MS: "250",
  RETRY_MAX_MS: "2000",
};

export interface ChaosCluster {
  db: TestDatabase;
  redis: RedisServer;
  /** Hub URLs by instance number (a restarted hub keeps its port). */
  urls: string[];
  /** Where each hub's output goes (appended across restarts). */
  logDir: string;
  hubUp(instance: number): boolean;
  redisUp(): boolean;
  killHub(instance: number): Promise<void>;
  /** Starts the hub again on its port, retrying while it cannot start (e.g. Redis is away). */
  restartHub(instance: number): Promise<void>;
  killRedis(): Promise<void>;
  restartRedis(): Promise<void>;
  /** Stops everything and drops the database; the hubs' logs are removed unless `keepLogs`. */
  stop(keepLogs?: boolean): Promise<void>;
  /** Which processes are running and where a stop has got to, for a failure message. */
  describe(): string;
  /** A stop has finished: every process is gone and the database dropped. */
  stopped(): boolean;
}

const RESTART_GIVE_UP_MS = 90_000;

/**
 * Two hub processes sharing one throwaway database and a Redis of their own (no persistence: a restart
 * comes back empty), each of which can be SIGKILLed and started again on the same port.
 */
export async function startChaosCluster(hubEnv: Record<string, string> = {}): Promise<ChaosCluster> {
  const db = await createTestDatabase("chaos");
  const logDir = mkdtempSync(join(tmpdir(), "push-hub-chaos-"));
  let redis: RedisServer | undefined;
  const hubs: (ServiceProcess | undefined)[] = [undefined, undefined];
  // Every hub process ever started, so a stop reaches each one, and each hub's restart in progress: a kill of
  // that hub waits for it (a kill while its restart was still retrying, say while Redis was away, once let
  // the next restart start a second process on the same port, and the first outlived the run).
  const spawned: ServiceProcess[] = [];
  const restarting: (Promise<void> | undefined)[] = [undefined, undefined];
  let redisDown = false;
  let stopping = "not stopping";
  const stopAll = async (keepLogs = false) => {
    stopping = "starting redis so that the hubs can shut down cleanly";
    if (redisDown) await redis?.start().catch(() => undefined);
    stopping = "waiting for restarts in progress";
    await Promise.all(restarting.map((r) => r?.catch(() => undefined)));
    stopping = "stopping the hubs";
    await Promise.all(spawned.map((h) => h.stop("SIGTERM", 10_000)));
    stopping = "stopping redis";
    await redis?.stop();
    stopping = "dropping the database";
    await db.drop();
    if (!keepLogs) rmSync(logDir, { recursive: true, force: true });
    stopping = "stopped";
  };
  const describe = () => {
    const hubState = hubs.map((h, i) => `hub${i} ${h ? `pid ${h.pid} ${h.running() ? "running" : "exited"}` : "down"}`);
    return `${hubState.join(", ")}, redis ${redisDown ? "down" : "up"}; stop: ${stopping}`;
  };
  try {
    redis = await startRedisServer();
    const ports = [await freePort(), await freePort()];
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      REDIS_PREFIX: uniquePrefix(),
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "warn",
      ...CHAOS_DELIVERY_ENV,
      ...hubEnv,
    };
    const start = (i: number) =>
      startHubProcess(ports[i]!, env, { label: `hub${i}`, logFile: join(logDir, `hub${i}.log`), readyTimeoutMs: 30_000 }).then((hub) => {
        spawned.push(hub);
        return hub;
      });
    const started = await Promise.allSettled([start(0), start(1)]);
    started.forEach((s, i) => s.status === "fulfilled" && (hubs[i] = s.value));
    const failed = started.find((s) => s.status === "rejected");
    if (failed) throw failed.reason;
    const theRedis = redis;
    return {
      db,
      redis: theRedis,
      urls: ports.map((p) => `http://127.0.0.1:${p}`),
      logDir,
      hubUp: (i) => hubs[i]?.running() ?? false,
      redisUp: () => !redisDown,
      async killHub(i) {
        await restarting[i]?.catch(() => undefined);
        const hub = hubs[i];
        hubs[i] = undefined;
        await hub?.stop("SIGKILL");
      },
      restartHub(i) {
        const restart = async () => {
          const deadline = Date.now() + RESTART_GIVE_UP_MS;
          for (;;) {
            try {
              hubs[i] = await start(i);
              return;
            } catch (error) {
              if (Date.now() > deadline) throw error;
              await sleep(500);
            }
          }
        };
        restarting[i] ??= restart().finally(() => {
          restarting[i] = undefined;
        });
        return restarting[i];
      },
      async killRedis() {
        redisDown = true;
        await theRedis.kill();
      },
      async restartRedis() {
        await theRedis.start();
        redisDown = false;
      },
      stop: stopAll,
      describe,
      stopped: () => stopping === "stopped",
    };
  } catch (error) {
    await stopAll(true).catch(() => undefined);
    throw error;
  }
}
