import { randomBytes } from "node:crypto";
import { loadConfig } from "../../server/config/load-config.ts";
import { createHub, type Hub } from "../../server/create-hub.ts";
import { createLogger } from "../../server/logger.ts";
import { TEST_API_KEY } from "./env.ts";

export interface TestHub {
  hub: Hub;
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** A hub in this process on an ephemeral port, configured as `NODE_ENV=test` plus `env`. */
export async function startTestHub(databaseUrl: string, env: Record<string, string> = {}): Promise<TestHub> {
  const config = loadConfig({
    NODE_ENV: "test",
    HOST: "127.0.0.1",
    PORT: "0",
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    ...env,
  });
  const hub = await createHub({ config: { ...config, databaseUrl }, logger: createLogger({ level: config.logLevel, format: config.logFormat }) });
  const port = await hub.start();
  return { hub, port, url: `http://127.0.0.1:${port}`, stop: () => hub.stop() };
}

/** A Redis key/channel prefix of its own, so concurrent test files never hear each other. */
export const uniquePrefix = () => `pushhub-test-${randomBytes(4).toString("hex")}`;

export const authHeaders = (key = TEST_API_KEY) => ({ authorization: `Bearer ${key}`, "content-type": "application/json" });
