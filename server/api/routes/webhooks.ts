import { randomUUID } from "node:crypto";
import Router from "@koa/router";
import { z } from "zod";
import { hubError } from "../../errors/hub-error.ts";
import {
  deleteWebhookEndpoint,
  findWebhookEndpoint,
  insertWebhookEndpoint,
  listWebhookAttempts,
  listWebhookEndpoints,
  rotateWebhookSecret,
  updateWebhookEndpoint,
  type WebhookAttemptRecord,
  type WebhookEndpointRecord,
} from "../../store/webhooks/endpoints.ts";
import { checkWebhookUrl } from "../../webhooks/address-policy.ts";
import { newWebhookSecret } from "../../webhooks/webhook-secret.ts";
import type { ApiDeps } from "../api-deps.ts";
import { requireScope } from "../middleware/require-scope.ts";
import { readJsonBody } from "../read-body.ts";
import { decimalQueryInt } from "../validation/decimal-query-int.ts";
import { describeIssues } from "../validation/parse-message.ts";
import { webhookInputSchema, webhookPatchSchema } from "../validation/webhook-input.ts";

const webhookIdSchema = z.uuid();

export const attemptsQuerySchema = z.strictObject({
  limit: decimalQueryInt(1, 100).default(20).meta({ description: "1–100 in decimal digits; default 20" }),
});

/** What an endpoint's listing shows: never a secret (creation and rotation show each new one once). */
export const toWebhookView = (r: WebhookEndpointRecord) => ({
  id: r.id,
  url: r.url,
  events: r.events,
  description: r.description,
  enabled: r.enabled,
  disabledReason: r.disabledReason,
  createdAt: r.createdAt.toISOString(),
});

const toAttemptView = (a: WebhookAttemptRecord) => ({
  id: a.id.toString(),
  webhookId: a.batchId,
  type: a.type,
  items: a.itemCount,
  attempt: a.attempt,
  at: a.at.toISOString(),
  durationMs: a.durationMs,
  statusCode: a.statusCode,
  error: a.error,
  outcome: a.outcome,
});

/** The endpoint id of the path; a malformed one names no endpoint, so it is a 404 like an unknown one. */
function endpointId(raw: string | undefined): string {
  const id = webhookIdSchema.safeParse(raw);
  if (!id.success) throw notFound();
  return id.data;
}

const notFound = () => hubError("not_found", "No such webhook endpoint");

function parseQuery<T extends z.ZodType>(schema: T, query: Record<string, string | string[] | undefined>): z.output<T> {
  const last = Object.fromEntries(Object.entries(query).map(([k, v]) => [k, Array.isArray(v) ? v[v.length - 1] : v]));
  const parsed = schema.safeParse(last);
  if (parsed.success) return parsed.data;
  const issues = describeIssues(parsed.error.issues, "");
  throw hubError("invalid_query", `Invalid query: ${issues.map((i) => `${i.path} ${i.message}`).join("; ")}`, { details: { issues } });
}

/** POST/GET /api/webhooks, GET/PATCH/DELETE /api/webhooks/:webhookId, …/rotate, …/attempts — for keys with the admin scope. */
export function createWebhookRoutes(deps: Pick<ApiDeps, "db" | "config">): Router {
  const { db } = deps;
  const router = new Router();
  const admin = requireScope("admin");

  const parseBody = async <T extends z.ZodType>(schema: T, body: unknown): Promise<z.output<T>> => {
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const issues = describeIssues(parsed.error.issues, "");
      throw hubError("invalid_body", `Invalid webhook: ${issues.map((i) => `${i.path || "body"} ${i.message}`).join("; ")}`, { details: { issues } });
    }
    const url = (parsed.data as { url?: string }).url;
    const verdict = url === undefined ? undefined : await checkWebhookUrl(url, { allowPrivate: deps.config.webhookAllowPrivate });
    if (verdict && !verdict.ok) throw hubError("url_not_allowed", `Webhook URL not allowed: ${verdict.reason}`);
    return parsed.data;
  };

  router.post("/api/webhooks", admin, async (ctx) => {
    const input = await parseBody(webhookInputSchema, await readJsonBody(ctx, 16 * 1024));
    const secret = newWebhookSecret();
    const record = await insertWebhookEndpoint(db, { id: randomUUID(), url: input.url, events: input.events, description: input.description ?? null, secret });
    const { disabledReason: _, ...view } = toWebhookView(record);
    ctx.status = 201;
    ctx.body = { ...view, secret };
  });

  router.get("/api/webhooks", admin, async (ctx) => {
    ctx.body = { webhooks: (await listWebhookEndpoints(db)).map(toWebhookView) };
  });

  router.get("/api/webhooks/:webhookId", admin, async (ctx) => {
    const record = await findWebhookEndpoint(db, endpointId(ctx.params.webhookId));
    if (record === null) throw notFound();
    ctx.body = toWebhookView(record);
  });

  router.patch("/api/webhooks/:webhookId", admin, async (ctx) => {
    const id = endpointId(ctx.params.webhookId);
    const change = await parseBody(webhookPatchSchema, await readJsonBody(ctx, 16 * 1024));
    const updated = await updateWebhookEndpoint(db, id, change);
    if (updated === null) throw notFound();
    ctx.body = toWebhookView(updated);
  });

  router.delete("/api/webhooks/:webhookId", admin, async (ctx) => {
    const deleted = await deleteWebhookEndpoint(db, endpointId(ctx.params.webhookId));
    if (deleted === null) throw notFound();
    ctx.body = toWebhookView(deleted);
  });

  router.post("/api/webhooks/:webhookId/rotate", admin, async (ctx) => {
    const secret = newWebhookSecret();
    const rotated = await rotateWebhookSecret(db, endpointId(ctx.params.webhookId), secret);
    if (rotated === null) throw notFound();
    ctx.body = { id: rotated.id, secret, previousSecretExpiresAt: rotated.previousUntil.toISOString() };
  });

  router.get("/api/webhooks/:webhookId/attempts", admin, async (ctx) => {
    const { limit } = parseQuery(attemptsQuerySchema, ctx.query);
    const attempts = await listWebhookAttempts(db, endpointId(ctx.params.webhookId), limit);
    if (attempts === null) throw notFound();
    ctx.body = { attempts: attempts.map(toAttemptView) };
  });

  return router;
}
