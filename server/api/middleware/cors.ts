import cors from "@koa/cors";
import type { Middleware } from "koa";
import type { OriginPolicy } from "../../lib/origin-policy.ts";

/**
 * CORS for browser apps on ALLOWED_ORIGINS: their preflights are answered and their responses carry
 * the headers that let the page read them. Other origins get no CORS headers, so the browser keeps
 * their pages from calling the API with a key or reading its answers.
 */
export function corsFor(allows: OriginPolicy): Middleware {
  return cors({
    // Without a host, the policy answers for listed origins only (a same-origin page needs no headers).
    origin: (ctx) => {
      const origin = ctx.get("origin");
      return origin && allows(origin, undefined) ? origin : "";
    },
    allowMethods: ["GET", "POST", "DELETE"],
    allowHeaders: ["Authorization", "Content-Type", "Idempotency-Key"],
    exposeHeaders: ["Retry-After"],
    maxAge: 600,
  });
}
