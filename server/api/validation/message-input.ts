import { z } from "zod";
import { uidSchema } from "../../protocol/uid.ts";

const INT32_MAX = 2_147_483_647;
const MAX_TTL_SECONDS = 10 * 365 * 24 * 3600;

/** One message as producers send it; unknown fields are rejected so typos do not pass silently. */
export const messageInputSchema = z.strictObject({
  uid: uidSchema,
  msg: z.unknown().refine((v) => v !== undefined, "is required"),
  type: z.int().min(0).max(INT32_MAX).default(4),
  clientType: z.int().min(0).max(INT32_MAX).default(0),
  ttlSeconds: z.int().min(1).max(MAX_TTL_SECONDS).optional(),
});

export const batchInputSchema = z.strictObject({
  messages: z.array(z.unknown()).min(1, "must hold 1–1000 messages").max(1000, "must hold 1–1000 messages"),
});

export const idempotencyKeySchema = z
  .string()
  .regex(/^[\x21-\x7e]{1,200}$/, "Idempotency-Key must be 1–200 visible ASCII characters");
