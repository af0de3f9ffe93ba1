/**
 * Starts K push-hub instances for a load run: a fresh migrated database, a unique Redis prefix,
 * random secrets, one `node --import tsx server/main.ts` per instance on a free port.
 */
import { launchInstances } from "./launch-instances.ts";
import type { LaunchCommon, LaunchedTargets } from "./launched-targets.ts";
import { deleteRedisPrefix } from "./redis-cleanup.ts";
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
  const launched = await launchInstances(o, {
    kind: "hub",
    label: "hub",
    script: "server/main.ts",
    env: (port) => ({
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
    }),
    cleanup: [
      () => db.drop(),
      async () => {
        if (useRedis) await deleteRedisPrefix(o.redisUrl, prefix);
      },
    ],
  });
  return { ...launched, databaseUrl: db.url };
}
