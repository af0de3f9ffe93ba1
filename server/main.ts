import { loadConfig } from "./config/load-config.ts";
import { createHub } from "./create-hub.ts";
import { ConfigError } from "./errors/config-error.ts";
import { installSignalHandlers } from "./lifecycle/install-signal-handlers.ts";
import { createLogger } from "./logger.ts";

/** The one place that wires a hub process together. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`push-hub: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    process.stderr.write("push-hub: DATABASE_URL is required\n");
    process.exit(1);
  }
  const hub = await createHub({ config: { ...config, databaseUrl }, logger });
  installSignalHandlers(() => hub.stop(), logger, config.shutdownTimeoutMs);
  const port = await hub.start();
  logger.info({ port, redis: Boolean(config.redisUrl), env: config.env }, "push-hub listening");
}

main().catch((error: unknown) => {
  process.stderr.write(`push-hub: could not start: ${(error as Error).message ?? error}\n`);
  process.exit(1);
});
