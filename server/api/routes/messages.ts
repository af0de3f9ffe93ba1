import Router from "@koa/router";
import { hubError } from "../../errors/hub-error.ts";
import { findMessage } from "../../store/find-message.ts";
import { toMessageView } from "../../store/message-view.ts";
import { storeRequest } from "../store-request.ts";
import type { ApiDeps } from "../api-deps.ts";
import type { ProducerState } from "../middleware/api-key-auth.ts";
import { assertUid, grantOf, requireScope } from "../middleware/require-scope.ts";
import { readJsonBody } from "../read-body.ts";
import { parseId } from "../../protocol/parse-id.ts";
import { singleBodyLimit } from "../validation/single-body-limit.ts";
import { idempotencyKeyOf } from "../validation/idempotency-key.ts";
import { batchInputSchema } from "../validation/message-input.ts";
import { describeIssues, parseMessage } from "../validation/parse-message.ts";

/** POST /api/messages, POST /api/messages/batch, GET /api/messages/:id */
export function createMessageRoutes(deps: ApiDeps): Router {
  const router = new Router();
  const { config } = deps;
  const singleLimit = singleBodyLimit(config);

  const accepting = () => {
    if (deps.isShuttingDown()) throw hubError("shutting_down");
  };

  router.post("/api/messages", requireScope("publish"), async (ctx) => {
    accepting();
    const idempotencyKey = idempotencyKeyOf(ctx);
    const body = await readJsonBody(ctx, singleLimit);
    const { producer } = ctx.state as ProducerState;
    const message = parseMessage(body, { messageMaxBytes: config.messageMaxBytes, now: new Date(), path: "" });
    assertUid(grantOf(ctx), message.uid);
    const [id] = await storeRequest(deps.enqueuer, { producer, scope: "message", key: idempotencyKey, messages: [message] });
    ctx.status = 202;
    ctx.body = { id, status: "queued" };
  });

  router.post("/api/messages/batch", requireScope("publish"), async (ctx) => {
    accepting();
    const idempotencyKey = idempotencyKeyOf(ctx);
    const body = await readJsonBody(ctx, config.bodyMaxBytes);
    const parsed = batchInputSchema.safeParse(body);
    if (!parsed.success) {
      const issues = describeIssues(parsed.error.issues, "");
      throw hubError("invalid_body", `Invalid batch: ${issues.map((i) => `${i.path || "body"} ${i.message}`).join("; ")}`, { details: { issues } });
    }
    const { producer } = ctx.state as ProducerState;
    const now = new Date();
    // All or nothing: the first invalid item rejects the batch before anything is stored.
    const messages = parsed.data.messages.map((item, index) =>
      parseMessage(item, { messageMaxBytes: config.messageMaxBytes, now, path: `messages[${index}]` }),
    );
    for (const message of messages) assertUid(grantOf(ctx), message.uid);
    // The key names the whole batch (scope "batch"): a single message's key can never alias it.
    const ids = await storeRequest(deps.enqueuer, { producer, scope: "batch", key: idempotencyKey, messages });
    ctx.status = 202;
    ctx.body = { ids };
  });

  router.get("/api/messages/:id", requireScope("read"), async (ctx) => {
    const id = parseId(ctx.params.id);
    if (id === null) throw hubError("not_found", "No such message");
    const row = await findMessage(deps.db, id);
    if (row === null) throw hubError("not_found", "No such message");
    assertUid(grantOf(ctx), row.uid);
    ctx.body = toMessageView(row);
  });

  return router;
}
