import Router from "@koa/router";
import { hubError } from "../../errors/hub-error.ts";
import { parseId } from "../../protocol/parse-id.ts";
import { findMessage } from "../../store/find-message.ts";
import { cancelMessage } from "../../store/inbox/cancel-message.ts";
import { markRead } from "../../store/inbox/mark-read.ts";
import { unreadCounts } from "../../store/inbox/unread-counts.ts";
import type { ApiDeps } from "../api-deps.ts";
import { assertUid, grantOf, requireScope } from "../middleware/require-scope.ts";
import { readJsonBody } from "../read-body.ts";
import { describeIssues } from "../validation/parse-message.ts";
import { readRequestSchema } from "../validation/read-request.ts";
import { parseUid } from "../validation/parse-uid.ts";

/** GET /api/users/:uid/unread, POST /api/users/:uid/read, DELETE /api/messages/:id (cancel) */
export function createInboxRoutes(deps: ApiDeps): Router {
  const router = new Router();

  router.get("/api/users/:uid/unread", requireScope("read"), async (ctx) => {
    const uid = parseUid(ctx.params.uid);
    const counts = await unreadCounts(deps.db, [uid]);
    ctx.body = { uid, unread: counts.get(uid) ?? 0 };
  });

  router.post("/api/users/:uid/read", requireScope("manage"), async (ctx) => {
    const uid = parseUid(ctx.params.uid);
    const parsed = readRequestSchema.safeParse(await readJsonBody(ctx, 64 * 1024));
    if (!parsed.success) {
      const issues = describeIssues(parsed.error.issues, "");
      throw hubError("invalid_body", 'Expected {"ids": ["<id>", …]} (1–1000 ids) or {"upTo": "<id>"}', { details: { issues } });
    }
    const target = parsed.data;
    const readAt = new Date();
    const result = await markRead(deps.db, uid, target);
    if (result.ids.length > 0) {
      deps.inbox.readState(uid, "upTo" in target ? { upTo: String(target.upTo) } : { ids: result.ids.map(String) }, readAt);
      deps.inbox.unreadChanged(uid);
    }
    ctx.body = { updated: result.ids.length, unread: result.unread };
  });

  router.delete("/api/messages/:id", requireScope("manage"), async (ctx) => {
    const id = parseId(ctx.params.id);
    if (id === null) throw hubError("not_found", "No such message");
    const grant = grantOf(ctx);
    if (grant.uidPrefix !== null) {
      // Whose message it is decides whether this key may cancel it: read before, not after, cancelling.
      const row = await findMessage(deps.db, id);
      if (row === null) throw hubError("not_found", "No such message");
      assertUid(grant, row.uid);
    }
    const result = await cancelMessage(deps.db, id);
    if (result === null) throw hubError("not_found", "No such message");
    if (result.cancelled) {
      deps.inbox.cancelled([id]);
      deps.inbox.unreadChanged(result.uid);
    }
    ctx.body = { id: String(id), status: "cancelled" };
  });

  return router;
}
