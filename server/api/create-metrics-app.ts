import Koa from "koa";
import type { Logger } from "pino";
import type { Metrics } from "../metrics/create-metrics.ts";
import { errorHandler } from "./middleware/error-handler.ts";
import { routeFallback } from "./middleware/route-fallback.ts";
import { createMetricsRoutes } from "./routes/metrics.ts";

/** The app behind METRICS_PORT: GET /metrics and nothing else, for a scraper on a private address. */
export function createMetricsApp(deps: { metrics: Metrics; token: string | undefined; logger: Logger }): Koa {
  const app = new Koa();
  const router = createMetricsRoutes(deps);
  app.use(errorHandler(deps.logger));
  app.use(routeFallback());
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
