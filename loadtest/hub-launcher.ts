/**
 * Starts K push-hub instances for a load run: a fresh migrated database, a unique Redis prefix,
 * random secrets, one `node --import tsx server/main.ts` per instance on a free port.
 */
import { launchInstances } from "./launch-instances.ts";
import type { LaunchCommon, LaunchedTargets } from "./launched-targets.ts";
import { deleteRedisPrefix } from "./redis-cleanup.ts";
import { startHubProcess } from "./support/hub-process.ts";
import { INSPECT_FLAG } from "./live-heap.ts";
import { SERVER_NODE_FLAGS } from "./support/service-process.ts";
import { createThrowawayDatabase } from "./support/throwaway-database.ts";

export interface HubLaunchOptions extends LaunchCommon {
  /** admin connection; the run's database is created beside it */
  databaseAdminUrl: string;
  /** extra env for every instance (DRAIN_BATCH=…, GROUP_COMMIT_MS=…) */
  hubEnv: Record<string, string>;
  /** Node flags added to the shared server flags of every instance */
  hubNodeFlags?: string[];
  /** run dist/server/main.js (built by `npm run build`) instead of the sources through tsx */
  hubDist?: boolean;
  /** runs on the migrated database before any hub connects (extensions, settings) */
  prepareDatabase?: (db: { name: string; url: string }) => Promise<void>;
}

export async function launchHubs(o: HubLaunchOptions): Promise<LaunchedTargets> {
  const db = await createThrowawayDatabase({ adminUrl: o.databaseAdminUrl, label: "load" });
  try {
    await o.prepareDatabase?.(db);
  } catch (err) {
    await db.drop().catch(() => undefined);
    throw err;
  }
  const prefix = `lt-${o.runId}`;
  const useRedis = o.instances > 1 || o.forceRedis;
  const env = {
    DATABASE_URL: db.url,
    REDIS_PREFIX: prefix,
    HUB_API_KEYS: o.apiKey,
    HUB_JWT_SECRET: o.jwtSecret,
    ...(useRedis ? { REDIS_URL: o.redisUrl } : {}),
    ...o.hubEnv,
  };
  const launched = await launchInstances(o, {
    kind: "hub",
    label: "hub",
    start: ({ port, label, logFile }) => startHubProcess(port, env, { label, logFile, readyTimeoutMs: o.readyTimeoutMs, compiled: o.hubDist ?? false, nodeFlags: [...SERVER_NODE_FLAGS, ...(o.inspect ? [INSPECT_FLAG] : []), ...(o.hubNodeFlags ?? [])] }),
    cleanup: [
      () => db.drop(),
      async () => {
        if (useRedis) await deleteRedisPrefix(o.redisUrl, prefix);
      },
    ],
  });
  return { ...launched, databaseUrl: db.url };
}
