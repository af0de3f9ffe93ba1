import type { Middleware } from "koa";
import type { Logger } from "pino";
import { HUB_ERROR_CODES } from "../../errors/error-codes.ts";
import { HubError, hubError } from "../../errors/hub-error.ts";
import { StoreUnavailableError } from "../../store/store-unavailable-error.ts";

interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export function toErrorBody(error: HubError): ErrorBody {
  return {
    error: {
      code: error.code,
      message: error.expose ? error.message : "Internal error",
      ...(error.details === undefined ? {} : { details: error.details }),
    },
  };
}

/** The HubError a caught error stands for, or null when it is none of the hub's (a bug, or Koa's own). */
export function knownHubError(error: unknown): HubError | null {
  if (error instanceof HubError) return error;
  // The store's own words say what could not be done ("could not read the message", "… store messages").
  if (error instanceof StoreUnavailableError) {
    return hubError("store_unavailable", `The message store is unavailable (${error.message}); retry later`, { cause: error });
  }
  return null;
}

/** Koa's own errors (http-errors) carry a status; anything else is ours to fix and becomes a logged 500. */
function asHubError(error: unknown): HubError {
  const known = knownHubError(error);
  if (known) return known;
  const status = (error as { status?: unknown }).status;
  if (typeof status === "number" && status >= 400 && status < 500) {
    // The table's bad_request is 400; Koa's own 4xx keep their status.
    return new HubError((error as Error).message || HUB_ERROR_CODES.bad_request.message, { code: "bad_request", status });
  }
  return hubError("internal", undefined, { cause: error });
}

/** Every error leaves as `{"error":{"code","message","details"}}` with its status and headers. */
export function errorHandler(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (caught) {
      const error = asHubError(caught);
      if (error.status >= 500) {
        logger.error({ err: error.cause ?? caught, code: error.code, method: ctx.method, path: ctx.path }, "request failed");
      }
      ctx.status = error.status;
      ctx.set(error.headers);
      ctx.body = toErrorBody(error);
    }
  };
}
