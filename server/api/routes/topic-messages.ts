import Router, { type RouterContext } from "@koa/router";
import { hubError } from "../../errors/hub-error.ts";
import { parseId } from "../../protocol/parse-id.ts";
import { cancelPublish, findPublish, storePublish } from "../../store/topics/publishes.ts";
import type { ApiDeps } from "../api-deps.ts";
import type { ProducerState } from "../middleware/api-key-auth.ts";
import { assertTopic, grantOf, requireScope } from "../middleware/require-scope.ts";
import { readJsonBody } from "../read-body.ts";
import { idempotencyKeyOf } from "../validation/idempotency-key.ts";
import { singleBodyLimit } from "../validation/single-body-limit.ts";
import { parseTopicMessage, publishRequestHash } from "../validation/topic-message-input.ts";
import { parseTopic } from "../validation/topic-input.ts";

/** Cancelled ids are told to the delivery sessions of every instance in notices of at most this many. */
const CANCEL_NOTICE_IDS = 1000;

type Deps = Pick<ApiDeps, "db" | "config" | "fanOut" | "inbox" | "isShuttingDown">;

/**
 * Durable topic publishes: POST stores the publish (its body once, its recipients fixed) and answers
 * 202 before the fan-out writes each recipient's message; GET shows how far the fan-out got; DELETE
 * cancels the publish for every recipient. The key's topic patterns hold.
 */
export function createTopicMessageRoutes(deps: Deps): Router {
  const router = new Router();
  const singleLimit = singleBodyLimit(deps.config);

  const topicOf = (ctx: RouterContext): string => {
    const topic = parseTopic(ctx.params.topic);
    assertTopic(grantOf(ctx), topic);
    return topic;
  };
  const publishIdOf = (ctx: RouterContext): bigint => {
    const id = parseId(ctx.params.publishId);
    if (id === null) throw hubError("not_found", "No such publish of this topic");
    return id;
  };

  router.post("/api/topics/:topic/messages", requireScope("publish"), async (ctx) => {
    if (deps.isShuttingDown()) throw hubError("shutting_down");
    const topic = topicOf(ctx);
    const key = idempotencyKeyOf(ctx);
    const m = parseTopicMessage(await readJsonBody(ctx, singleLimit), { messageMaxBytes: deps.config.messageMaxBytes, now: new Date(), path: "" });
    const hash = publishRequestHash(topic, m);
    const { producer } = ctx.state as ProducerState;
    const stored = await storePublish(deps.db, {
      topic,
      msgType: m.type,
      clientType: m.clientType,
      body: m.body,
      bytes: m.bytes,
      expiresAt: m.expiresAt,
      producer,
      key,
      requestHash: hash,
    });
    if (stored.replayed && stored.requestHash !== hash) {
      throw hubError("idempotency_conflict", undefined, { details: { idempotencyKey: key, firstId: String(stored.id) } });
    }
    if (!stored.replayed) deps.fanOut.published(stored.id);
    ctx.status = 202;
    ctx.body = { id: String(stored.id), recipients: stored.recipients };
  });

  router.get("/api/topics/:topic/messages/:publishId", requireScope("read"), async (ctx) => {
    const view = await findPublish(deps.db, topicOf(ctx), publishIdOf(ctx));
    if (view === null) throw hubError("not_found", "No such publish of this topic");
    ctx.body = view;
  });

  router.delete("/api/topics/:topic/messages/:publishId", requireScope("manage"), async (ctx) => {
    const topic = topicOf(ctx);
    const id = publishIdOf(ctx);
    const result = await cancelPublish(deps.db, topic, id);
    if (!result.found) throw hubError("not_found", "No such publish of this topic");
    const ids = result.recipients.map((r) => r.id);
    for (let i = 0; i < ids.length; i += CANCEL_NOTICE_IDS) deps.inbox.cancelled(ids.slice(i, i + CANCEL_NOTICE_IDS));
    for (const uid of new Set(result.recipients.map((r) => r.uid))) deps.inbox.unreadChanged(uid);
    ctx.body = { id: String(id), topic, status: "cancelled", cancelled: result.recipients.length };
  });

  return router;
}
