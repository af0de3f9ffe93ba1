import type { Middleware } from "koa";
import { HTTP_ERRORS } from "../../errors/error-codes.ts";
import type { Metrics } from "../../metrics/create-metrics.ts";

/** The error code of an answer's body (`{"error": {"code"}}`, also inside POST /message's own shape), if it is one of ours. */
function errorCodeOf(body: unknown): string | undefined {
  const code = (body as { error?: { code?: unknown } } | null)?.error?.code;
  return typeof code === "string" && Object.hasOwn(HTTP_ERRORS, code) ? code : undefined;
}

/**
 * HTTP latency by matched route pattern (not raw path, which would explode label cardinality), and error
 * answers by their code (a bounded set: the error table's).
 */
export function requestMetrics(metrics: Metrics): Middleware {
  return async (ctx, next) => {
    const end = metrics.httpDuration.startTimer();
    try {
      await next();
    } finally {
      const route = (ctx as { _matchedRoute?: unknown })._matchedRoute;
      const status = String(ctx.status);
      end({ method: ctx.method, route: typeof route === "string" ? route : "unmatched", status });
      const code = ctx.status >= 400 ? errorCodeOf(ctx.body) : undefined;
      if (code !== undefined) metrics.httpErrors.inc({ code, status });
    }
  };
}
