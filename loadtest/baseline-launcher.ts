/** Starts K baseline servers (loadtest/baseline-server.ts), sharing Redis when K > 1. */
import { join } from "node:path";
import { stopAll, type LaunchCommon, type LaunchedTargets } from "./launched-targets.ts";
import { deleteRedisPrefix } from "./redis-cleanup.ts";
import { freePort, startService, type ServiceProcess } from "./service-process.ts";

export async function launchBaselines(o: LaunchCommon): Promise<LaunchedTargets> {
  const prefix = `lt-base-${o.runId}`;
  const useRedis = o.instances > 1 || o.forceRedis;
  const services: ServiceProcess[] = [];
  const stop = () =>
    stopAll([
      ...services.map((s) => () => s.stop()),
      async () => {
        if (useRedis) await deleteRedisPrefix(o.redisUrl, prefix);
      },
    ]);
  try {
    const settled = await Promise.allSettled(
      Array.from({ length: o.instances }, async (_, i) => {
        const port = await freePort();
        services.push(
          await startService({
            label: `baseline-${i}`,
            cwd: o.repoRoot,
            args: ["loadtest/baseline-server.ts"],
            env: {
              PORT: String(port),
              HOST: "127.0.0.1",
              HUB_API_KEYS: o.apiKey,
              HUB_JWT_SECRET: o.jwtSecret,
              REDIS_PREFIX: prefix,
              ...(useRedis ? { REDIS_URL: o.redisUrl } : {}),
            },
            port,
            logFile: join(o.logDir, `baseline-${i}.log`),
            readyPath: "/readyz",
            readyTimeoutMs: o.readyTimeoutMs,
          }),
        );
      }),
    );
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
    services.sort((a, b) => a.label.localeCompare(b.label));
    return { kind: "baseline", services, stop };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}
