import cors from "@koa/cors";
import type { Middleware } from "koa";
import type { OriginPolicy } from "../../lib/origin-policy.ts";
import { isCrossOrigin } from "../../lib/origin-policy.ts";

/**
 * CORS for browser apps on ALLOWED_ORIGINS: their preflights are answered and their responses carry
 * the headers that let the page read them. Other origins get no CORS headers, so the browser keeps
 * their pages from calling the API with a key or reading its answers.
 */
export function corsFor(allows: OriginPolicy): Middleware {
  return cors({
    origin: (ctx) => {
      const origin = ctx.get("origin") || undefined;
      return origin && isCrossOrigin(origin, ctx.host) && allows(origin, ctx.host) ? origin : "";
    },
    allowMethods: ["GET", "POST", "DELETE"],
    allowHeaders: ["Authorization", "Content-Type", "Idempotency-Key"],
    exposeHeaders: ["Retry-After"],
    maxAge: 600,
  });
}
