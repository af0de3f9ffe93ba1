import type { Logger } from "pino";

/**
 * SIGTERM/SIGINT: `stop()` in order, then exit 0. A second signal, or `timeoutMs` passing, forces
 * exit 1 — nothing acknowledged is lost either way (it is in the database).
 */
export function installSignalHandlers(stop: () => Promise<void>, logger: Logger, timeoutMs: number): void {
  let first: { signal: NodeJS.Signals; at: number } | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    // A terminal's Ctrl-C reaches the hub twice under `npm start` (the tty and npm both send SIGINT).
    if (first && first.signal === signal && Date.now() - first.at < 1000) return;
    if (first) {
      logger.warn({ signal }, "second signal: exiting now");
      process.exit(1);
    }
    first = { signal, at: Date.now() };
    logger.info({ signal }, "shutting down");
    setTimeout(() => {
      logger.error({ timeoutMs }, "shutdown timed out: exiting");
      process.exit(1);
    }, timeoutMs).unref();
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}
