/** Starts K baseline servers (loadtest/baseline-server.ts), sharing Redis when K > 1. */
import { launchInstances } from "./launch-instances.ts";
import type { LaunchCommon, LaunchedTargets } from "./launched-targets.ts";
import { deleteRedisPrefix } from "./redis-cleanup.ts";
import { INSPECT_FLAG } from "./live-heap.ts";
import { SERVER_NODE_FLAGS, startServiceProcess } from "./support/service-process.ts";

export async function launchBaselines(o: LaunchCommon): Promise<LaunchedTargets> {
  const prefix = `lt-base-${o.runId}`;
  const useRedis = o.instances > 1 || o.forceRedis;
  return launchInstances(o, {
    kind: "baseline",
    label: "baseline",
    start: ({ port, label, logFile }) =>
      startServiceProcess({
        label,
        script: "loadtest/baseline-server.ts",
        port,
        env: {
          PORT: String(port),
          HOST: "127.0.0.1",
          HUB_API_KEYS: o.apiKey,
          HUB_JWT_SECRET: o.jwtSecret,
          REDIS_PREFIX: prefix,
          ...(useRedis ? { REDIS_URL: o.redisUrl } : {}),
        },
        logFile,
        readyTimeoutMs: o.readyTimeoutMs,
        nodeFlags: [...SERVER_NODE_FLAGS, ...(o.inspect ? [INSPECT_FLAG] : [])],
      }),
    cleanup: [
      async () => {
        if (useRedis) await deleteRedisPrefix(o.redisUrl, prefix);
      },
    ],
  });
}
