import type { Context } from "koa";
import { hubError } from "../../errors/hub-error.ts";
import { idempotencyKeySchema } from "./message-input.ts";

/** The request's `Idempotency-Key` (null without one), or a 400 invalid_body naming what is wrong with it. */
export function idempotencyKeyOf(ctx: Context): string | null {
  const header = ctx.get("idempotency-key");
  if (header === "") return null;
  const parsed = idempotencyKeySchema.safeParse(header);
  if (!parsed.success) throw hubError("invalid_body", parsed.error.issues[0]?.message ?? "Invalid Idempotency-Key");
  return parsed.data;
}
