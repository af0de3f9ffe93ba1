import { z } from "zod";

const MAX_BIGINT = 9_223_372_036_854_775_807n;

/** A message id as clients see it (decimal string) → bigint, or null when it cannot be one. */
export function parseId(raw: unknown): bigint | null {
  if (typeof raw !== "string" || !/^[1-9][0-9]{0,18}$/.test(raw)) return null;
  const id = BigInt(raw);
  return id <= MAX_BIGINT ? id : null;
}

/** A message id in a request (query, body or socket payload), parsed to bigint. */
export const messageIdSchema = z
  .string()
  .transform((s, ctx) => parseId(s) ?? (ctx.addIssue({ code: "custom", message: "must be a message id" }), z.NEVER));
