import { z } from "zod";
import { messageIdSchema as id } from "../../protocol/parse-id.ts";

/** POST /api/users/:uid/read: {"ids": [...]} marks those, {"upTo": "<id>"} every message up to it. */
export const readRequestSchema = z.union([
  z.strictObject({ ids: z.array(id).min(1).max(1000) }),
  z.strictObject({ upTo: id }),
]);
