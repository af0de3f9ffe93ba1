import type { z } from "zod";
import { hubError } from "../../errors/hub-error.ts";
import type { NewMessage } from "../../store/new-message.ts";
import { jsonValueProblem } from "../../protocol/check-json-value.ts";
import { messageInputSchema } from "./message-input.ts";

const MAX_DEPTH = 64;

export interface ParseContext {
  messageMaxBytes: number;
  now: Date;
  /** Where the message sits in the request body, for error messages ("messages[3]"). */
  path: string;
}

/** A message's content as the store takes it, whoever it goes to (a uid, or a topic's subscribers). */
export type MessageContent = Omit<NewMessage, "uid">;

/** The fields every message schema has (a direct message's adds `uid`). */
interface MessageFields {
  msg: unknown;
  type: number;
  clientType: number;
  ttlSeconds?: number | undefined;
}

export function describeIssues(issues: z.core.$ZodIssue[], prefix: string): { path: string; message: string }[] {
  return issues.map((i) => ({
    path: [prefix, ...i.path.map((p) => (typeof p === "number" ? `[${p}]` : String(p)))]
      .filter(Boolean)
      .join(".")
      .replace(/\.\[/g, "["),
    message: i.message,
  }));
}

/** Validates one producer message into what the store takes; throws a 400 or 413 naming the field. */
export function parseMessage(body: unknown, ctx: ParseContext): NewMessage {
  return parseMessageWith(messageInputSchema, body, ctx);
}

/**
 * `body` validated by `schema` (a message's fields, with or without `uid`), then its `msg` held to the
 * message limits (depth, MESSAGE_MAX_BYTES): a 400 invalid_body or 413 message_too_large naming the field.
 */
export function parseMessageWith<T extends MessageFields>(schema: z.ZodType<T>, body: unknown, ctx: ParseContext): Omit<T, "ttlSeconds"> & MessageContent {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issues = describeIssues(parsed.error.issues, ctx.path);
    throw hubError("invalid_body", `Invalid message: ${issues.map((i) => `${i.path || "body"} ${i.message}`).join("; ")}`, { details: { issues } });
  }
  const m = parsed.data;
  const where = ctx.path ? `${ctx.path}.msg` : "msg";
  const problem = jsonValueProblem(m.msg, MAX_DEPTH);
  if (problem) throw hubError("invalid_body", `Invalid message: ${where} ${problem}`, { details: { issues: [{ path: where, message: problem }] } });
  const text = JSON.stringify(m.msg);
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > ctx.messageMaxBytes) {
    throw hubError("message_too_large", `${where} is ${bytes} bytes; the limit is ${ctx.messageMaxBytes}`, {
      details: { path: where, bytes, limitBytes: ctx.messageMaxBytes },
    });
  }
  return {
    ...m,
    body: text,
    bytes,
    ttlSeconds: m.ttlSeconds ?? null,
    expiresAt: m.ttlSeconds === undefined ? null : new Date(ctx.now.getTime() + m.ttlSeconds * 1000),
  };
}
