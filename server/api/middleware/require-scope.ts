import type { Context, Middleware } from "koa";
import { hubError } from "../../errors/hub-error.ts";
import type { KeyGrant, Scope } from "../keys/key-grant.ts";
import { matchesTopic } from "../../protocol/topic.ts";
import type { ProducerState } from "./api-key-auth.ts";

const grantOf = (ctx: Context): KeyGrant => (ctx.state as ProducerState).grant;

/** 403 `forbidden` unless the request's key has `scope`. */
export function assertScope(grant: KeyGrant, scope: Scope): void {
  if (!grant.scopes.has(scope)) throw hubError("forbidden", `This API key lacks the ${scope} scope`);
}

/** 403 `forbidden` unless the request's key may act on `uid` (its uid prefix, if it has one). */
export function assertUid(grant: KeyGrant, uid: string): void {
  if (grant.uidPrefix !== null && !uid.startsWith(grant.uidPrefix)) {
    throw hubError("forbidden", `This API key acts only on uids starting with ${JSON.stringify(grant.uidPrefix)}`);
  }
}

/** 403 `forbidden` unless the request's key may act on `topic` (its topic patterns, if it has any). */
export function assertTopic(grant: KeyGrant, topic: string): void {
  if (grant.topics !== null && !grant.topics.some((p) => matchesTopic(p, topic))) {
    throw hubError("forbidden", "This API key may not act on this topic");
  }
}

/** A route's guard: the key needs `scope`, and, for routes with a `:uid`, may act on that uid. */
export function requireScope(scope: Scope): Middleware {
  return async (ctx, next) => {
    const grant = grantOf(ctx);
    assertScope(grant, scope);
    const uid = (ctx as Context & { params?: Record<string, string> }).params?.uid;
    if (uid !== undefined) assertUid(grant, uid);
    await next();
  };
}

/** The request's grant, for checks a route makes once it knows the uid (a message's owner, a batch's uids). */
export { grantOf };
