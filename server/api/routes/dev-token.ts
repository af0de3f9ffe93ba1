import Router from "@koa/router";
import { z } from "zod";
import { hubError } from "../../errors/hub-error.ts";
import type { ApiDeps } from "../api-deps.ts";
import { assertUid, grantOf, requireScope } from "../middleware/require-scope.ts";
import { readJsonBody } from "../read-body.ts";
import { topicPatternSchema } from "../../protocol/topic.ts";
import { uidSchema } from "../../protocol/uid.ts";

/** `topics`: the token's topics claim, the patterns its devices may subscribe their uid to themselves. */
export const tokenRequestSchema = z.strictObject({ uid: uidSchema, topics: z.array(topicPatternSchema).max(100).optional() });

/** POST /api/dev/token {"uid", "topics"?} → {"token"}: development and test only (never mounted in production). */
export function createDevTokenRoutes(deps: ApiDeps): Router {
  const router = new Router();
  // A token reads and marks read as the uid: the manage scope, within the key's uid prefix.
  router.post("/api/dev/token", requireScope("manage"), async (ctx) => {
    const parsed = tokenRequestSchema.safeParse(await readJsonBody(ctx, 4096));
    if (!parsed.success) throw hubError("invalid_body", `uid ${parsed.error.issues[0]?.message ?? "is invalid"}`);
    assertUid(grantOf(ctx), parsed.data.uid);
    ctx.body = { token: await deps.signToken(parsed.data.uid, parsed.data.topics) };
  });
  return router;
}
