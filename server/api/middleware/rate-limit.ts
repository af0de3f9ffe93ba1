import type { Context, Middleware } from "koa";
import type { Logger } from "pino";
import { HubError, hubError } from "../../errors/hub-error.ts";
import type { RateLimiter } from "../../rate-limit/rate-limiter.ts";
import { clientIp } from "../client-ip.ts";
import type { KeyGrant } from "../keys/key-grant.ts";
import type { KeyResolver } from "../keys/create-key-resolver.ts";
import { authenticate, type ProducerState } from "./api-key-auth.ts";
import { toErrorBody } from "./error-handler.ts";

interface RateLimitDeps {
  limiter: RateLimiter;
  logger: Logger;
  trustProxy: boolean;
}

/**
 * Spends one token of the key's bucket (its own rate, with a burst of two seconds' worth, or the hub's
 * RATE_LIMIT_*); throws a 429 (with Retry-After) when it is empty.
 */
export function createRateCheck(deps: RateLimitDeps) {
  return async (ctx: Context, grant: KeyGrant): Promise<void> => {
    const { producer, ratePerSecond } = grant;
    const own = ratePerSecond === null ? undefined : { perSecond: ratePerSecond, burst: Math.max(1, 2 * ratePerSecond) };
    const decision = await deps.limiter.take(producer, own);
    if (decision.allowed) return;
    // The fingerprint, never the key itself.
    deps.logger.debug({ producer, ip: clientIp(ctx, deps.trustProxy), path: ctx.path }, "rate limited");
    const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
    throw hubError("rate_limited", undefined, { details: { retryAfterSeconds: seconds }, headers: { "Retry-After": String(seconds) } });
  };
}

/** Per-API-key limit for routes behind apiKeyAuth (which sets ctx.state.grant). */
export function rateLimit(check: ReturnType<typeof createRateCheck>): Middleware {
  return async (ctx, next) => {
    await check(ctx, (ctx.state as ProducerState).grant);
    await next();
  };
}

/**
 * POST /message checks its key inside the route (to answer in the original service's shape), so its
 * limit runs here first and answers 429 in that shape too. A bad key is left for the route to refuse.
 */
export function seedRateLimit(check: ReturnType<typeof createRateCheck>, resolve: KeyResolver): Middleware {
  return async (ctx, next) => {
    if (ctx.method !== "POST" || ctx.path.replace(/\/+$/, "").toLowerCase() !== "/message") return next();
    let grant: KeyGrant;
    try {
      grant = await authenticate(ctx, resolve);
    } catch {
      return next();
    }
    // The route takes the key's grant from here rather than resolving it again.
    Object.assign(ctx.state as ProducerState, { producer: grant.producer, grant });
    try {
      await check(ctx, grant);
    } catch (error) {
      if (!(error instanceof HubError && error.code === "rate_limited")) throw error;
      ctx.status = 429;
      ctx.set(error.headers);
      ctx.body = { code: 429, result: [], msg: error.message, ...toErrorBody(error) };
      return;
    }
    await next();
  };
}
