import { createHash } from "node:crypto";
import { messageInputSchema } from "./message-input.ts";
import { parseMessageWith, type MessageContent, type ParseContext } from "./parse-message.ts";

/** A topic message as producers send it: a direct message without `uid` (the topic's subscribers receive it). */
export const topicMessageInputSchema = messageInputSchema.omit({ uid: true });

/** A topic message's content: a direct message's rules and errors (400 invalid_body, 413 message_too_large). */
export function parseTopicMessage(body: unknown, ctx: ParseContext): MessageContent {
  return parseMessageWith(topicMessageInputSchema, body, ctx);
}

/** Digest of what a publish asks to store (not of when it arrived): replays of one request share it. */
export function publishRequestHash(topic: string, m: MessageContent): string {
  return createHash("sha256").update(JSON.stringify([topic, m.body, m.type, m.clientType, m.ttlSeconds])).digest("hex");
}
