import Router from "@koa/router";
import type { Context } from "koa";
import { HubError, hubError } from "../../errors/hub-error.ts";
import { knownHubError, toErrorBody } from "../middleware/error-handler.ts";
import type { ApiDeps } from "../api-deps.ts";
import type { KeyResolver } from "../keys/create-key-resolver.ts";
import { authenticate, type ProducerState } from "../middleware/api-key-auth.ts";
import { assertScope, assertUid } from "../middleware/require-scope.ts";
import { readJsonOrFormBody } from "../read-body.ts";
import { storeRequest } from "../store-request.ts";
import { parseMessage } from "../validation/parse-message.ts";
import { singleBodyLimit } from "../validation/single-body-limit.ts";

/** The original service's status codes: 416 for missing uid/msg (it used "range not satisfiable"). */
const SEED_MISSING_FIELDS = 416;

function seedReply(ctx: Context, httpStatus: number, code: number, msg: string, result: unknown, error?: HubError) {
  ctx.status = httpStatus;
  if (error) ctx.set(error.headers);
  // `error` keeps the hub's uniform error shape beside the original fields.
  ctx.body = { code, result, msg, ...(error ? toErrorBody(error) : {}) };
}

/** `msg` arrives as text; JSON text becomes the JSON value, anything else stays a string. */
function seedMsg(raw: unknown): unknown {
  if (typeof raw !== "string") return raw;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

const isEmpty = (v: unknown) => v === undefined || v === null || v === "" || v === 0 || v === "0" || v === false;

/** POST /message, compatible with the PHP/Swoole service it replaces: `{"code","result","msg"}` bodies. */
export function createSeedMessageRoutes(deps: ApiDeps, resolve: KeyResolver): Router {
  const router = new Router();
  router.all("/message", async (ctx) => {
    try {
      if (ctx.method !== "POST") {
        ctx.set("Allow", "POST");
        return seedReply(ctx, 405, 405, "Method Not Allowed", [], hubError("method_not_allowed", "Use POST"));
      }
      // seedRateLimit resolved the key already unless it was refused (then this refuses it in this shape).
      const grant = (ctx.state as Partial<ProducerState>).grant ?? (await authenticate(ctx, resolve));
      assertScope(grant, "publish");
      if (deps.isShuttingDown()) throw hubError("shutting_down");
      const body = await readJsonOrFormBody(ctx, singleBodyLimit(deps.config));
      const fields = (body !== null && typeof body === "object" && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
      if (isEmpty(fields.uid) || isEmpty(fields.msg)) {
        const error = hubError("invalid_body", "uid and msg are required");
        return seedReply(ctx, 400, SEED_MISSING_FIELDS, "Requested Range Not Satisfiable", [], error);
      }
      const uid = typeof fields.uid === "number" ? String(fields.uid) : fields.uid;
      const message = parseMessage(
        { uid, msg: seedMsg(fields.msg) },
        { messageMaxBytes: deps.config.messageMaxBytes, now: new Date(), path: "" },
      );
      assertUid(grant, message.uid);
      const [id] = await storeRequest(deps.enqueuer, { producer: grant.producer, scope: "message", key: null, messages: [message] });
      seedReply(ctx, 200, 200, "OK", { id });
    } catch (caught) {
      const error = knownHubError(caught);
      if (!error) throw caught;
      seedReply(ctx, error.status, error.status, error.message, [], error);
    }
  });
  return router;
}
