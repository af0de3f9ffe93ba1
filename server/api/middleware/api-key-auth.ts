import type { Context, Middleware } from "koa";
import { hubError } from "../../errors/hub-error.ts";
import { createSecretCheck, type KeyResolver } from "../keys/create-key-resolver.ts";
import type { KeyGrant } from "../keys/key-grant.ts";

export interface ProducerState {
  /** Stable, non-secret name of the API key that authenticated the request (KeyGrant.producer). */
  producer: string;
  grant: KeyGrant;
}

/** The bearer secret of a request; `name` is what the refusal calls it ("API key", "metrics token"). */
export function bearerOf(ctx: Context, name = "API key"): string {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(ctx.get("authorization"));
  if (!match) throw hubError("unauthorized", `Missing ${name}: send Authorization: Bearer <${name === "API key" ? "key" : "token"}>`);
  return match[1] as string;
}

/** A check of `Authorization: Bearer <secret>` against fixed secrets (METRICS_TOKEN); the match's fingerprint. */
export function createApiKeyCheck(keys: string[], name = "API key") {
  const check = createSecretCheck(keys);
  return (ctx: Context): string => {
    const found = check(bearerOf(ctx, name));
    if (found === null) throw hubError("unauthorized", `Invalid ${name}`);
    return found;
  };
}

/** The grant of the request's API key; 401 when it has none, or an unknown, revoked or expired one. */
export async function authenticate(ctx: Context, resolve: KeyResolver): Promise<KeyGrant> {
  const grant = await resolve(bearerOf(ctx));
  if (grant === null) throw hubError("unauthorized", "Invalid API key");
  return grant;
}

export function apiKeyAuth(resolve: KeyResolver): Middleware {
  return async (ctx, next) => {
    const grant = await authenticate(ctx, resolve);
    Object.assign(ctx.state as ProducerState, { producer: grant.producer, grant });
    await next();
  };
}
