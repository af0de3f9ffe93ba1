import type { z } from "zod";
import { hubError } from "../../errors/hub-error.ts";
import type { NewMessage } from "../../store/new-message.ts";
import { jsonValueProblem } from "../../protocol/check-json-value.ts";
import { messageInputSchema, topicMessageInputSchema } from "./message-input.ts";

const MAX_DEPTH = 64;

interface ParseContext {
  messageMaxBytes: number;
  now: Date;
  /** Where the message sits in the request body, for error messages ("messages[3]"). */
  path: string;
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
  const { uid, ...content } = checked(messageInputSchema, body, ctx);
  return { uid, ...content };
}

/** A topic message's content (a message without uid): the same rules, the same errors. */
export function parseTopicMessage(body: unknown, ctx: ParseContext): Omit<NewMessage, "uid"> {
  return checked(topicMessageInputSchema, body, ctx);
}

type MessageFieldsInput = z.infer<typeof topicMessageInputSchema>;

function checked<S extends z.ZodType<MessageFieldsInput>>(schema: S, body: unknown, ctx: ParseContext): z.infer<S> & Omit<NewMessage, "uid"> {
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
