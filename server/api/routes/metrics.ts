import Router from "@koa/router";
import type { Metrics } from "../../metrics/create-metrics.ts";
import { createApiKeyCheck } from "../middleware/api-key-auth.ts";

/**
 * GET /metrics: Prometheus text. A scrape runs the readiness check behind pushhub_ready (what /readyz
 * runs) and no other query: values that need one (queue depth) are computed in the background. With
 * METRICS_TOKEN set, only `Authorization: Bearer <token>` reads it.
 */
export function createMetricsRoutes(deps: { metrics: Metrics; token: string | undefined }): Router {
  const router = new Router();
  const check = deps.token === undefined ? undefined : createApiKeyCheck([deps.token], "metrics token");
  router.get("/metrics", async (ctx) => {
    check?.(ctx);
    ctx.type = deps.metrics.registry.contentType;
    ctx.body = await deps.metrics.registry.metrics();
  });
  return router;
}
