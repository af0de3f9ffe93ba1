import Koa from "koa";
import type { Logger } from "pino";
import type { Metrics } from "../metrics/create-metrics.ts";
import type { Readiness } from "./api-deps.ts";
import { errorHandler } from "./middleware/error-handler.ts";
import { routeFallback } from "./middleware/route-fallback.ts";
import { createHealthRoutes } from "./routes/health.ts";
import { createMetricsRoutes } from "./routes/metrics.ts";

interface MetricsAppDeps {
  metrics: Metrics;
  token: string | undefined;
  logger: Logger;
  readiness: () => Promise<Readiness>;
}

/**
 * The app behind METRICS_PORT, for a scraper and probes on a private address: GET /metrics, and
 * GET /healthz and /readyz as on PORT. A flood of connections on PORT (capped by MAX_CONNECTIONS) does
 * not reach this listener, so probes pointed here keep their answers through it.
 */
export function createMetricsApp(deps: MetricsAppDeps): Koa {
  const app = new Koa();
  app.use(errorHandler(deps.logger));
  app.use(routeFallback());
  for (const router of [createMetricsRoutes(deps), createHealthRoutes(deps)]) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  return app;
}
