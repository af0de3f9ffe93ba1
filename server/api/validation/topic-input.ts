import { z } from "zod";
import { hubError } from "../../errors/hub-error.ts";
import { jsonValueProblem } from "../../protocol/check-json-value.ts";
import { topicNameSchema } from "../../protocol/topic.ts";
import { uidSchema } from "../../protocol/uid.ts";
import { decimalQueryInt } from "./decimal-query-int.ts";
import { describeIssues } from "./parse-message.ts";

/** `{"uids": [...]}`: 1–10,000 uids to subscribe or unsubscribe in one call. */
export const subscribersInputSchema = z.strictObject({ uids: z.array(uidSchema).min(1).max(10_000) });

export const subscribersQuerySchema = z.strictObject({
  after: uidSchema.optional().meta({ description: "the page's `next`: subscribers with a greater uid" }),
  limit: decimalQueryInt(1, 1000).default(100).meta({ description: "1–1000 in decimal digits; default 100" }),
});

/** `{"event"?, "data"}`: a live event; `event` names it for the client (default "live"). */
export const liveInputSchema = z.strictObject({
  event: z.string().min(1).max(64).regex(/^[A-Za-z0-9_.:-]+$/, "1–64 characters of A–Z a–z 0–9 _ . : -").default("live"),
  data: z.unknown().refine((v) => v !== undefined, "is required"),
});

/** The `:topic` of a route, or a 400 invalid_query naming what is wrong with it. */
export function parseTopic(raw: unknown): string {
  const parsed = topicNameSchema.safeParse(raw);
  if (!parsed.success) throw hubError("invalid_query", `topic: ${parsed.error.issues[0]?.message ?? "is invalid"}`);
  return parsed.data;
}

/** `schema`'s value of `body`, or a 400 `code` naming each bad field. */
export function parseOr400<T>(schema: z.ZodType<T>, body: unknown, code: "invalid_body" | "invalid_query" = "invalid_body"): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issues = describeIssues(parsed.error.issues, "");
  throw hubError(code, issues.map((i) => `${i.path || "body"} ${i.message}`).join("; "), { details: { issues } });
}

/** A live event's data as JSON text, held to the limits of a message's `msg` (depth, MESSAGE_MAX_BYTES). */
export function liveDataBytes(data: unknown, maxBytes: number): number {
  const problem = jsonValueProblem(data, 64);
  if (problem) throw hubError("invalid_body", `data ${problem}`, { details: { issues: [{ path: "data", message: problem }] } });
  const bytes = Buffer.byteLength(JSON.stringify(data), "utf8");
  if (bytes > maxBytes) throw hubError("message_too_large", `data is ${bytes} bytes; the limit is ${maxBytes}`);
  return bytes;
}
