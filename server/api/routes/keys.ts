import Router from "@koa/router";
import { z } from "zod";
import { hubError } from "../../errors/hub-error.ts";
import { listApiKeys, revokeApiKey } from "../../store/api-keys.ts";
import type { ApiDeps } from "../api-deps.ts";
import { createApiKey, toApiKeyView } from "../keys/create-api-key.ts";
import { requireScope } from "../middleware/require-scope.ts";
import { readJsonBody } from "../read-body.ts";
import { keyInputSchema } from "../validation/key-input.ts";
import { describeIssues } from "../validation/parse-message.ts";

const keyIdSchema = z.uuid();

/** POST /api/keys, GET /api/keys, DELETE /api/keys/:id — for keys with the admin scope. */
export function createKeyRoutes(deps: Pick<ApiDeps, "db">): Router {
  const router = new Router();
  const admin = requireScope("admin");

  router.post("/api/keys", admin, async (ctx) => {
    const parsed = keyInputSchema.safeParse(await readJsonBody(ctx, 16 * 1024));
    if (!parsed.success) {
      const issues = describeIssues(parsed.error.issues, "");
      throw hubError("invalid_body", `Invalid key: ${issues.map((i) => `${i.path || "body"} ${i.message}`).join("; ")}`, { details: { issues } });
    }
    ctx.status = 201;
    ctx.body = await createApiKey(deps.db, parsed.data);
  });

  router.get("/api/keys", admin, async (ctx) => {
    ctx.body = { keys: (await listApiKeys(deps.db)).map(toApiKeyView) };
  });

  router.delete("/api/keys/:keyId", admin, async (ctx) => {
    const id = keyIdSchema.safeParse(ctx.params.keyId);
    const revoked = id.success ? await revokeApiKey(deps.db, id.data) : null;
    if (revoked === null) throw hubError("not_found", "No such API key");
    ctx.body = toApiKeyView(revoked);
  });

  return router;
}
