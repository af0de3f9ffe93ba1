import { z } from "zod";
import { parseId } from "../../protocol/parse-id.ts";

const id = z.string().transform((s, ctx) => parseId(s) ?? (ctx.addIssue({ code: "custom", message: "must be a message id" }), z.NEVER));

/** POST /api/users/:uid/read: {"ids": [...]} marks those, {"upTo": "<id>"} every message up to it. */
export const readRequestSchema = z.union([
  z.strictObject({ ids: z.array(id).min(1).max(1000) }),
  z.strictObject({ upTo: id }),
]);
