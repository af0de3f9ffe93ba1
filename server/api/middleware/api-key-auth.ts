import { createHash, timingSafeEqual } from "node:crypto";
import type { Context, Middleware } from "koa";
import { hubError } from "../../errors/hub-error.ts";

const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();

export interface ProducerState {
  /** Stable, non-secret fingerprint of the API key that authenticated the request. */
  producer: string;
}

/**
 * Producers send `Authorization: Bearer <key>`. Keys are compared as SHA-256 digests with
 * timingSafeEqual against every configured key, so timing reveals neither key nor length. `name` is what
 * the refusals call the secret ("API key", or "metrics token" for METRICS_TOKEN).
 */
export function createApiKeyCheck(keys: string[], name = "API key") {
  const known = keys.map((k) => ({ digest: digest(k), fingerprint: digest(`push-hub:${k}`).toString("hex").slice(0, 32) }));
  return (ctx: Context): string => {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(ctx.get("authorization"));
    if (!match) throw hubError("unauthorized", `Missing ${name}: send Authorization: Bearer <${name === "API key" ? "key" : "token"}>`);
    const presented = digest(match[1] as string);
    let found: string | null = null;
    for (const k of known) if (timingSafeEqual(k.digest, presented)) found = k.fingerprint;
    if (found === null) throw hubError("unauthorized", `Invalid ${name}`);
    return found;
  };
}

export function apiKeyAuth(check: (ctx: Context) => string): Middleware {
  return async (ctx, next) => {
    (ctx.state as ProducerState).producer = check(ctx);
    await next();
  };
}
