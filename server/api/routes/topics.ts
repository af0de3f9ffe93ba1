import Router, { type RouterContext } from "@koa/router";
import { listSubscribers, subscribe, topicsOf, unsubscribe } from "../../store/topics/subscriptions.ts";
import { matchesTopic } from "../../protocol/topic.ts";
import type { ApiDeps } from "../api-deps.ts";
import { assertTopic, assertUid, grantOf, requireScope } from "../middleware/require-scope.ts";
import { readJsonBody } from "../read-body.ts";
import { parseUid } from "../validation/parse-uid.ts";
import { liveDataBytes, liveInputSchema, parseOr400, parseTopic, subscribersInputSchema, subscribersQuerySchema } from "../validation/topic-input.ts";

/** Topic subscriptions (manage / read) and live events (publish); the key's topic patterns and uid prefix hold. */
export function createTopicRoutes(deps: Pick<ApiDeps, "db" | "config" | "topics" | "fanOut">): Router {
  const router = new Router();

  const subscribers = async (ctx: RouterContext) => {
    const topic = parseTopic(ctx.params.topic);
    const grant = grantOf(ctx);
    assertTopic(grant, topic);
    const { uids } = parseOr400(subscribersInputSchema, await readJsonBody(ctx, deps.config.bodyMaxBytes));
    for (const uid of uids) assertUid(grant, uid);
    return { topic, uids };
  };

  router.put("/api/topics/:topic/subscribers", requireScope("manage"), async (ctx) => {
    const { topic, uids } = await subscribers(ctx);
    const result = await subscribe(deps.db, topic, uids);
    deps.topics.joined(topic, result.changed);
    ctx.body = { topic, added: result.changed.length, subscribers: result.subscribers };
  });

  router.post("/api/topics/:topic/subscribers/remove", requireScope("manage"), async (ctx) => {
    const { topic, uids } = await subscribers(ctx);
    const result = await unsubscribe(deps.db, topic, uids);
    deps.fanOut.appended(result.appended);
    deps.topics.left(topic, result.changed);
    ctx.body = { topic, removed: result.changed.length, subscribers: result.subscribers };
  });

  router.get("/api/topics/:topic/subscribers", requireScope("read"), async (ctx) => {
    const topic = parseTopic(ctx.params.topic);
    assertTopic(grantOf(ctx), topic);
    const query = Object.fromEntries(Object.entries(ctx.query).map(([k, v]) => [k, Array.isArray(v) ? v[v.length - 1] : v]));
    const { after, limit } = parseOr400(subscribersQuerySchema, query, "invalid_query");
    ctx.body = await listSubscribers(deps.db, { topic, after: after ?? null, limit });
  });

  router.get("/api/users/:uid/topics", requireScope("read"), async (ctx) => {
    const uid = parseUid(ctx.params.uid);
    const { topics } = grantOf(ctx);
    const all = await topicsOf(deps.db, uid);
    // A key limited to some topics sees only those.
    ctx.body = { uid, topics: topics === null ? all : all.filter((t) => topics.some((p) => matchesTopic(p, t))) };
  });

  router.post("/api/topics/:topic/live", requireScope("publish"), async (ctx) => {
    const topic = parseTopic(ctx.params.topic);
    assertTopic(grantOf(ctx), topic);
    const { event, data } = parseOr400(liveInputSchema, await readJsonBody(ctx, deps.config.bodyMaxBytes));
    liveDataBytes(data, deps.config.messageMaxBytes);
    deps.topics.live(topic, event, data);
    ctx.status = 202;
    ctx.body = { topic, event };
  });

  return router;
}
