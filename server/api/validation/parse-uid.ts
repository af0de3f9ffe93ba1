import { hubError } from "../../errors/hub-error.ts";
import { uidSchema } from "../../protocol/uid.ts";

/** The `:uid` of a route, or a 400 invalid_query naming what is wrong with it. */
export function parseUid(raw: unknown): string {
  const parsed = uidSchema.safeParse(raw);
  if (!parsed.success) throw hubError("invalid_query", `uid ${parsed.error.issues[0]?.message ?? "is invalid"}`);
  return parsed.data;
}
