import { HubClientError } from "./hub-client-error.ts";
import type { HubConnection } from "./hub-connection.ts";
import { isSubscribeReply, TOPIC_NAME } from "./protocol.ts";

/** Subscribes (or unsubscribes) the connection's uid to `topic`; resolves with whether it now is subscribed. */
export async function changeSubscription(connection: HubConnection, event: "subscribe" | "unsubscribe", topic: string): Promise<boolean> {
  if (typeof topic !== "string" || !TOPIC_NAME.test(topic)) {
    throw new HubClientError("invalid_argument", `topic must be 1–128 characters of A–Z a–z 0–9 _ - . :, got ${JSON.stringify(topic)}`);
  }
  const reply = await connection.request(event, (s) => s.emitWithAck(event, { topic }), isSubscribeReply);
  return reply.subscribed;
}
