import Router from "@koa/router";
import { z } from "zod";
import { hubError } from "../../errors/hub-error.ts";
import { listUserMessages } from "../../store/list-user-messages.ts";
import { toMessageView } from "../../store/message-view.ts";
import type { ApiDeps } from "../api-deps.ts";
import { requireScope } from "../middleware/require-scope.ts";
import { messageIdSchema } from "../../protocol/parse-id.ts";
import { parseUid } from "../validation/parse-uid.ts";
import { decimalQueryInt } from "../validation/decimal-query-int.ts";
import { describeIssues } from "../validation/parse-message.ts";

export const historyQuerySchema = z.strictObject({
  status: z.enum(["queued", "delivered", "read", "expired", "cancelled"]).optional(),
  before: messageIdSchema.optional(),
  limit: decimalQueryInt(1, 200).default(50).meta({ description: "1–200 in decimal digits; default 50" }),
});

/** GET /api/users/:uid/messages (history, newest first) and GET /api/users/:uid/presence */
export function createUserRoutes(deps: ApiDeps): Router {
  const router = new Router();

  router.get("/api/users/:uid/messages", requireScope("read"), async (ctx) => {
    const uid = parseUid(ctx.params.uid);
    const query = Object.fromEntries(
      Object.entries(ctx.query).map(([k, v]) => [k, Array.isArray(v) ? v[v.length - 1] : v]),
    );
    const parsed = historyQuerySchema.safeParse(query);
    if (!parsed.success) {
      const issues = describeIssues(parsed.error.issues, "");
      throw hubError("invalid_query", `Invalid query: ${issues.map((i) => `${i.path} ${i.message}`).join("; ")}`, { details: { issues } });
    }
    const page = await listUserMessages(deps.db, { uid, ...parsed.data });
    ctx.body = { messages: page.messages.map(toMessageView), next: page.next };
  });

  router.get("/api/users/:uid/presence", requireScope("read"), async (ctx) => {
    const uid = parseUid(ctx.params.uid);
    const connections = await deps.presence(uid);
    ctx.body = { uid, online: connections > 0, connections };
  });

  return router;
}
