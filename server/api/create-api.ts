import Koa, { type Middleware } from "koa";
import RouterClass from "@koa/router";
import type Router from "@koa/router";
import type { ApiDeps } from "./api-deps.ts";
import { createOriginPolicy } from "../lib/origin-policy.ts";
import { createKeyResolver } from "./keys/create-key-resolver.ts";
import { apiKeyAuth } from "./middleware/api-key-auth.ts";
import { corsFor } from "./middleware/cors.ts";
import { errorHandler } from "./middleware/error-handler.ts";
import { createRateCheck, rateLimit, seedRateLimit } from "./middleware/rate-limit.ts";
import { requestMetrics } from "./middleware/request-metrics.ts";
import { routeFallback } from "./middleware/route-fallback.ts";
import { strictPath } from "./middleware/strict-path.ts";
import { createOpenApiDocument } from "./openapi.ts";
import { createClientSdkRoutes } from "./routes/client-sdk.ts";
import { createDevTokenRoutes } from "./routes/dev-token.ts";
import { createHealthRoutes } from "./routes/health.ts";
import { createInboxRoutes } from "./routes/inbox.ts";
import { createKeyRoutes } from "./routes/keys.ts";
import { createTopicRoutes } from "./routes/topics.ts";
import { createTopicMessageRoutes } from "./routes/topic-messages.ts";
import { createMessageRoutes } from "./routes/messages.ts";
import { createMetricsRoutes } from "./routes/metrics.ts";
import { createSeedMessageRoutes } from "./routes/seed-message.ts";
import { createUserRoutes } from "./routes/users.ts";
import { createWebhookRoutes } from "./routes/webhooks.ts";

interface ApiExtras {
  /** Routes mounted without the API key (the demo page). */
  publicRoutes?: Router[];
  /** Middleware that runs before everything else (request tracking). */
  before?: Middleware[];
}

/** The Koa application; it never listens — create-hub wires `app.callback()` into the shared http.Server. */
export function createApi(deps: ApiDeps, extras: ApiExtras = {}): Koa {
  const app = new Koa({ proxy: deps.config.trustProxy });
  const resolveKey = createKeyResolver({ envKeys: deps.config.apiKeys, db: deps.db });
  const requireKey = apiKeyAuth(resolveKey);
  const rateCheck = createRateCheck({ limiter: deps.rateLimiter, logger: deps.logger, trustProxy: deps.config.trustProxy });
  const limited = rateLimit(rateCheck);

  const { devToken, metricsPort, metricsToken } = deps.config;
  // With METRICS_PORT set, /metrics lives on its own listener (create-metrics-app.ts, wired in create-hub.ts), not here.
  const metrics = metricsPort === undefined;
  const document = createOpenApiDocument({ devToken, metrics, demo: (extras.publicRoutes ?? []).length > 0 });
  // Which routes need the API key is decided by path (/api/…) in the guard below, not by router.
  const api = [createHealthRoutes(deps), createSeedMessageRoutes(deps, resolveKey), createMessageRoutes(deps), createUserRoutes(deps), createInboxRoutes(deps), createKeyRoutes(deps), createWebhookRoutes(deps), createTopicRoutes(deps), createTopicMessageRoutes(deps)];
  if (metrics) api.push(createMetricsRoutes({ metrics: deps.metrics, token: metricsToken }));
  if (devToken) api.push(createDevTokenRoutes(deps));
  api.push(createOpenApiRoute(document));
  assertDocumented(api, document.paths);

  for (const middleware of extras.before ?? []) app.use(middleware);
  app.use(requestMetrics(deps.metrics));
  app.use(errorHandler(deps.logger));
  app.use(corsFor(createOriginPolicy(deps.config.allowedOrigins)));
  app.use(strictPath());
  app.use(routeFallback());
  // The router matches paths case-insensitively, so this guard must too ("/API/messages").
  app.use(async (ctx, next) => (/^\/api(\/|$)/i.test(ctx.path) ? requireKey(ctx, () => limited(ctx, next)) : next()));
  app.use(seedRateLimit(rateCheck, resolveKey));
  // Static files (the client SDK's modules, the demo page) are outside the API's document.
  for (const router of [...api, createClientSdkRoutes(), ...(extras.publicRoutes ?? [])]) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  app.on("error", (err: unknown) => deps.logger.debug({ err }, "koa error"));
  return app;
}

function createOpenApiRoute(document: object): Router {
  const router = new RouterClass();
  const body = JSON.stringify(document);
  router.get("/openapi.json", (ctx) => {
    ctx.type = "application/json";
    ctx.body = body;
  });
  return router;
}

/** Every route the API mounts is in its OpenAPI document (a route added without it fails at start). */
function assertDocumented(routers: Router[], paths: Record<string, Record<string, unknown>>): void {
  for (const router of routers) {
    for (const layer of router.stack) {
      const path = String(layer.path).replace(/:(\w+)/g, "{$1}");
      const methods = layer.methods.filter((m) => m !== "HEAD").map((m) => m.toLowerCase());
      // router.all (the seed route) answers every method; only POST is part of the API
      const documented = methods.length > 6 ? ["post"] : methods;
      for (const m of documented) if (!paths[path]?.[m]) throw new Error(`route ${m.toUpperCase()} ${layer.path} is not in the OpenAPI document`);
    }
  }
}
