/**
 * One plain connection to the run's Redis for `INFO` snapshots. No ready check and no client
 * name, so the only commands it adds to Redis's counts are its own INFOs (which the delta drops).
 */
import { Redis } from "ioredis";
import { infoField, parseCommandStats, type CommandStat } from "./redis-commandstats.ts";

export interface RedisProbe {
  /** the server's pid, as Redis reports it */
  processId(): Promise<number>;
  commandStats(): Promise<Map<string, CommandStat>>;
  close(): void;
}

export async function openRedisProbe(url: string): Promise<RedisProbe> {
  const redis = new Redis(url, {
    lazyConnect: true, enableReadyCheck: false, maxRetriesPerRequest: 1, connectTimeout: 5000, commandTimeout: 5000, retryStrategy: () => null,
  });
  redis.on("error", () => undefined); // failures surface as rejected commands
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  const info = (section: string) => redis.call("INFO", section) as Promise<string>;
  return {
    async processId() {
      return Number(infoField(await info("server"), "process_id"));
    },
    async commandStats() {
      return parseCommandStats(await info("commandstats"));
    },
    close() {
      redis.disconnect();
    },
  };
}
