import type { Middleware } from "koa";
import { hubError } from "../../errors/hub-error.ts";

/**
 * Turns the router's bare 404/405/501 into the error shape: a path no route knows is not_found, a
 * known path with another method is method_not_allowed (with Allow).
 */
export function routeFallback(): Middleware {
  return async (ctx, next) => {
    await next();
    if (ctx.body !== undefined && ctx.body !== null) return;
    if (ctx.status === 405 || ctx.status === 501) {
      const allowed = String(ctx.response.get("Allow") || "").split(/,\s*/).filter(Boolean);
      throw hubError("method_not_allowed", `Method not allowed; use ${allowed.join(", ")}`, {
        details: { allowed },
        headers: { Allow: allowed.join(", ") },
      });
    }
    if (ctx.status === 404) throw hubError("not_found", `No route for ${ctx.method} ${ctx.path}`);
  };
}
