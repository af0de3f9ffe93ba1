import { resolve } from "node:path";
import { loadConfig } from "./config/load-config.ts";
import { loadEnvFile } from "./config/load-env-file.ts";
import type { EmbeddedPostgres } from "./embedded/start-embedded-postgres.ts";
import { ConfigError } from "./config/config-error.ts";
import { DESCRIPTOR_HEADROOM, openFilesLimit } from "./lifecycle/descriptor-limit.ts";
import { installSignalHandlers } from "./lifecycle/install-signal-handlers.ts";
import { createLogger } from "./logger.ts";
import { compiled } from "./project-paths.ts";

let embedded: EmbeddedPostgres | undefined;

/** The one place that wires a hub process together. */
async function main(): Promise<void> {
  let config;
  let envFile: string | undefined;
  try {
    envFile = loadEnvFile();
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`push-hub: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger({ level: config.logLevel, format: config.logFormat });
  if (envFile) logger.info({ file: envFile }, "read variables from .env (the environment's own values win)");
  const descriptors = openFilesLimit();
  if (descriptors !== null && config.maxConnections + DESCRIPTOR_HEADROOM > descriptors) {
    // Past the limit, accept() fails and every new connection is reset, health checks' too.
    const log = config.env === "production" ? logger.warn.bind(logger) : logger.debug.bind(logger);
    log({ maxConnections: config.maxConnections, openFilesLimit: descriptors }, `MAX_CONNECTIONS + ${DESCRIPTOR_HEADROOM} exceeds the descriptor limit (ulimit -n): lower MAX_CONNECTIONS or raise the limit`);
  }
  // A library's stray rejection (e.g. a Redis command cut off by an outage) must not take the hub down.
  process.on("unhandledRejection", (reason) => logger.error({ err: reason }, "unhandled rejection"));
  // Tracing patches koa, pg, ioredis, socket.io and http as they load: it starts before the hub's modules
  // are imported (so none of them may be imported statically above). Unset, no OpenTelemetry code loads.
  const tracing = config.otlpEndpoint ? await (await import("./tracing/start-tracing.ts")).startTracing() : undefined;
  const [{ createHub }, { createDemoRoutes }, { applyMigrations }, { startEmbeddedPostgres }] = await Promise.all([
    import("./create-hub.ts"),
    import("./api/routes/demo.ts"),
    import("./embedded/apply-migrations.ts"),
    import("./embedded/start-embedded-postgres.ts"),
  ]);
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    if (config.env !== "development") {
      process.stderr.write("push-hub: DATABASE_URL is required (the embedded database is for development only)\n");
      process.exit(1);
    }
    embedded = await startEmbeddedPostgres({
      dataDir: resolve(config.embeddedDataDir),
      port: config.embeddedPort,
      maxConnections: config.databasePoolSize + config.deliveryPoolSize + config.controlPoolSize + config.inboxPoolSize + 4,
      logger,
      onUnexpectedExit: () => {
        logger.fatal("the embedded database stopped; exiting");
        process.exit(1);
      },
    });
    await applyMigrations(embedded.url, logger);
    databaseUrl = embedded.url;
  }
  const hub = await createHub({
    config: { ...config, databaseUrl },
    preparedStatements: !embedded,
    logger,
    publicRoutes: config.demo ? [createDemoRoutes()] : [],
    ...(tracing ? { tracer: tracing.tracer } : {}),
  });
  const db = embedded;
  installSignalHandlers(
    async () => {
      await hub.stop();
      await db?.stop(); // the hub releases its leases through it
      await tracing?.shutdown(); // last: the hub's final spans are exported
    },
    logger,
    config.shutdownTimeoutMs,
  );
  let port: number;
  try {
    port = await hub.start();
  } catch (error) {
    await hub.stop();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE" || code === "EACCES") {
      const why = code === "EADDRINUSE" ? "is already in use" : "needs privileges";
      throw new Error(`port ${config.port} on ${config.host} ${why}; set PORT to another port`);
    }
    throw error;
  }
  const runs = compiled ? "compiled" : "typescript";
  logger.info({ port, database: embedded ? "embedded" : "external", redis: Boolean(config.redisUrl), env: config.env, runs, tracing: Boolean(tracing) }, "push-hub listening");
  const where = `http://${config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host}:${port}/`;
  process.stdout.write(
    `\npush-hub ${config.env} · database: ${embedded ? `embedded (${resolve(config.embeddedDataDir)})` : "external"} · ` +
      `${config.redisUrl ? "Redis adapter" : "single instance"}\n` +
      (config.demo ? `Demo page: ${where}\n\n` : "\n"),
  );
}

main().catch(async (error: unknown) => {
  process.stderr.write(`push-hub: could not start: ${(error as Error).message ?? error}\n`);
  await embedded?.stop().catch(() => undefined);
  process.exit(1);
});
