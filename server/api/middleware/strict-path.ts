import type { Middleware } from "koa";
import { hubError } from "../../errors/hub-error.ts";

/**
 * A path whose percent-escapes do not decode as UTF-8 (`/api/users/u-j%FCrgen/unread`) is refused: the
 * router would keep such a segment as it was sent, so `u-j%FCrgen` and `u-j%25FCrgen` would name the
 * same uid.
 */
export function strictPath(): Middleware {
  return async (ctx, next) => {
    try {
      decodeURIComponent(ctx.path);
    } catch {
      throw hubError("invalid_query", "The path's percent-escapes are not valid UTF-8");
    }
    await next();
  };
}
