import type { Middleware } from "koa";
import type { Metrics } from "../../metrics/create-metrics.ts";

/** HTTP latency by matched route pattern (not raw path, which would explode label cardinality). */
export function requestMetrics(metrics: Metrics): Middleware {
  return async (ctx, next) => {
    const end = metrics.httpDuration.startTimer();
    try {
      await next();
    } finally {
      const route = (ctx as { _matchedRoute?: unknown })._matchedRoute;
      end({ method: ctx.method, route: typeof route === "string" ? route : "unmatched", status: String(ctx.status) });
    }
  };
}
