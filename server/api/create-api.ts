import Koa, { type Middleware } from "koa";
import type Router from "@koa/router";
import type { ApiDeps } from "./api-deps.ts";
import { apiKeyAuth, createApiKeyCheck } from "./middleware/api-key-auth.ts";
import { errorHandler } from "./middleware/error-handler.ts";
import { createRateCheck, rateLimit, seedRateLimit } from "./middleware/rate-limit.ts";
import { requestMetrics } from "./middleware/request-metrics.ts";
import { routeFallback } from "./middleware/route-fallback.ts";
import { createDevTokenRoutes } from "./routes/dev-token.ts";
import { createHealthRoutes } from "./routes/health.ts";
import { createMessageRoutes } from "./routes/messages.ts";
import { createSeedMessageRoutes } from "./routes/seed-message.ts";
import { createUserRoutes } from "./routes/users.ts";

export interface ApiExtras {
  /** Routes mounted without the API key (the demo page). */
  publicRoutes?: Router[];
  /** Middleware that runs before everything else (request tracking). */
  before?: Middleware[];
}

/** The Koa application; it never listens — create-hub wires `app.callback()` into the shared http.Server. */
export function createApi(deps: ApiDeps, extras: ApiExtras = {}): Koa {
  const app = new Koa({ proxy: deps.config.trustProxy });
  const checkKey = createApiKeyCheck(deps.config.apiKeys);
  const requireKey = apiKeyAuth(checkKey);
  const rateCheck = createRateCheck({ limiter: deps.rateLimiter, logger: deps.logger, trustProxy: deps.config.trustProxy });
  const limited = rateLimit(rateCheck);

  const open = [createHealthRoutes(deps), createSeedMessageRoutes(deps, checkKey), ...(extras.publicRoutes ?? [])];
  const keyed = [createMessageRoutes(deps), createUserRoutes(deps)];
  if (deps.config.env !== "production") keyed.push(createDevTokenRoutes(deps));

  for (const middleware of extras.before ?? []) app.use(middleware);
  app.use(requestMetrics(deps.metrics));
  app.use(errorHandler(deps.logger));
  app.use(routeFallback());
  // The router matches paths case-insensitively, so this guard must too ("/API/messages").
  app.use(async (ctx, next) => (/^\/api(\/|$)/i.test(ctx.path) ? requireKey(ctx, () => limited(ctx, next)) : next()));
  app.use(seedRateLimit(rateCheck, checkKey));
  for (const router of [...open, ...keyed]) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  app.on("error", (err: unknown) => deps.logger.debug({ err }, "koa error"));
  return app;
}
