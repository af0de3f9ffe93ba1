import Router from "@koa/router";
import type { ApiDeps } from "../api-deps.ts";

/** GET /healthz (alive), GET /readyz (database and Redis answer, not shutting down) */
export function createHealthRoutes(deps: Pick<ApiDeps, "readiness">): Router {
  const router = new Router();
  router.get("/healthz", (ctx) => {
    ctx.body = { status: "ok" };
  });
  router.get("/readyz", async (ctx) => {
    const readiness = await deps.readiness();
    ctx.status = readiness.ok ? 200 : 503;
    ctx.body = { status: readiness.ok ? "ready" : "unavailable", checks: readiness.checks };
  });
  return router;
}
