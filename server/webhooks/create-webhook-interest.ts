import type { Logger } from "pino";
import { createThrottledWarning } from "../lib/throttled-warning.ts";
import type { Db } from "../store/prisma.ts";
import { wantedWebhookTypes } from "../store/webhooks/webhook-queue.ts";

/**
 * Which event types some enabled endpoint wants, re-read every `refreshMs`, so work done only for
 * webhooks (presence tracking) is skipped while nobody listens. The SQL that writes message events asks
 * the table itself, in its own transaction; this cache is only for work outside the database.
 */
export function createWebhookInterest(deps: { db: Db; logger: Logger; refreshMs?: number }) {
  const warn = createThrottledWarning(deps.logger);
  let wanted = new Set<string>();
  const refresh = () =>
    wantedWebhookTypes(deps.db).then(
      (types) => {
        wanted = types;
      },
      (err: Error) => warn({ err: err.message }, "could not read which webhook events are wanted"),
    );
  const timer = setInterval(refresh, deps.refreshMs ?? 1000);
  timer.unref();
  return {
    /** Reads the table now (at start, and after an endpoint changed on this instance). */
    refresh,
    wants: (type: string) => wanted.has(type),
    /** Some enabled endpoint wants something. */
    any: () => wanted.size > 0,
    close: () => clearInterval(timer),
  };
}

export type WebhookInterest = ReturnType<typeof createWebhookInterest>;
