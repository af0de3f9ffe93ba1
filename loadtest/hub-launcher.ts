/**
 * Starts K push-hub instances for a load run: a fresh migrated database, a unique Redis prefix,
 * random secrets, one `node --import tsx server/main.ts` per instance on a free port.
 */
import { join } from "node:path";
import { stopAll, type LaunchCommon, type LaunchedTargets } from "./launched-targets.ts";
import { deleteRedisPrefix } from "./redis-cleanup.ts";
import { freePort, startService, type ServiceProcess } from "./service-process.ts";
import { createTestDatabase } from "./test-database.ts";

export interface HubLaunchOptions extends LaunchCommon {
  /** admin connection; the run's database is created beside it */
  databaseAdminUrl: string;
  /** extra env for every instance (DRAIN_BATCH=…, GROUP_COMMIT_MS=…) */
  hubEnv: Record<string, string>;
}

export async function launchHubs(o: HubLaunchOptions): Promise<LaunchedTargets> {
  const db = await createTestDatabase({ adminUrl: o.databaseAdminUrl, repoRoot: o.repoRoot });
  const prefix = `lt-${o.runId}`;
  const useRedis = o.instances > 1 || o.forceRedis;
  const services: ServiceProcess[] = [];
  const stop = () =>
    stopAll([
      ...services.map((s) => () => s.stop()),
      () => db.drop(),
      async () => {
        if (useRedis) await deleteRedisPrefix(o.redisUrl, prefix);
      },
    ]);
  try {
    const settled = await Promise.allSettled(
      Array.from({ length: o.instances }, async (_, i) => {
        const port = await freePort();
        const service = await startService({
          label: `hub-${i}`,
          cwd: o.repoRoot,
          args: ["server/main.ts"],
          env: {
            NODE_ENV: "test",
            PORT: String(port),
            HOST: "127.0.0.1",
            DATABASE_URL: db.url,
            REDIS_PREFIX: prefix,
            HUB_API_KEYS: o.apiKey,
            HUB_JWT_SECRET: o.jwtSecret,
            LOG_LEVEL: "warn",
            ...(useRedis ? { REDIS_URL: o.redisUrl } : {}),
            ...o.hubEnv,
          },
          port,
          logFile: join(o.logDir, `hub-${i}.log`),
          readyPath: "/readyz",
          readyTimeoutMs: o.readyTimeoutMs,
        });
        services.push(service);
        return service;
      }),
    );
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
    const started = settled.map((r) => (r as PromiseFulfilledResult<ServiceProcess>).value);
    return { kind: "hub", services: started, stop };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}
