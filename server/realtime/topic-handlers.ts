import type { Logger } from "pino";
import { z } from "zod";
import { matchesTopic, topicNameSchema } from "../protocol/topic.ts";
import type { Db } from "../store/prisma.ts";
import type { TopicFanOut } from "../topics/create-topic-fan-out.ts";
import { createBatcher } from "../lib/create-batcher.ts";
import { subscribe, topicsOfMany, unsubscribe } from "../store/topics/subscriptions.ts";
import { topicRoom, type TopicRooms } from "./create-topic-rooms.ts";
import type { ErrorReply, HubSocket } from "./events.ts";
import { createSocketQueues } from "./socket-queues.ts";
import { errorReply, replyForFailure } from "./socket-errors.ts";

export const TOPIC_EVENTS = ["subscribe", "unsubscribe"] as const;
export type TopicEvent = (typeof TOPIC_EVENTS)[number];

const requestSchema = z.strictObject({ topic: topicNameSchema });
const USAGE = 'expects {"topic": "<topic>"} (1–128 characters of A–Z a–z 0–9 _ - . :)';
/** Subscription changes of one socket waiting; past this it is flooding and gets `rate_limited`. */
const MAX_QUEUED = 20;

interface TopicHandlerDeps {
  db: Db;
  logger: Logger;
  rooms: Pick<TopicRooms, "joined" | "left">;
  /** Hands over what an unsubscribe delivered (publishes that had not reached the uid yet). */
  fanOut: Pick<TopicFanOut, "appended">;
}

type Ack = (reply: unknown) => void;

/**
 * The topic side of a socket: the rooms of its uid's topics, read while it connects (so it hears
 * their live events from its first moment), and `subscribe` / `unsubscribe` `{"topic"}`, which change its
 * own uid's subscription where its token's `topics` patterns allow (`forbidden` elsewhere), one at a time
 * per socket. Every socket of the uid, on any instance, follows the change.
 */
export function createTopicHandlers(deps: TopicHandlerDeps) {
  // Connects share reads: in a reconnect storm one statement per few ms instead of one per socket, so the
  // pool is not drained by them (one read per connect exhausted it at 1,000 connects/s).
  const reads = createBatcher<string, string[]>({ maxItems: 500, maxDelayMs: 2, maxConcurrent: 2, flush: (uids) => topicsOfMany(deps.db, uids) });
  const roomsOf = (uid: string): Promise<string[]> =>
    reads.add(uid).then(
      (topics) => topics.map(topicRoom),
      (err: unknown) => {
        deps.logger.warn({ err }, "could not read the uid's topics; its socket hears no live events until it reconnects");
        return [];
      },
    );
  const queueOf = createSocketQueues({ maxQueued: MAX_QUEUED, ready: () => Promise.resolve() });
  const handle = (socket: HubSocket, event: TopicEvent, args: unknown[]): void => {
    const last = args[args.length - 1];
    const ack: Ack = typeof last === "function" ? (last as Ack) : () => {};
    const parsed = requestSchema.safeParse(args.length > 1 || typeof last !== "function" ? args[0] : undefined);
    if (!parsed.success) return ack(errorReply("invalid_payload", `${event} ${USAGE}`));
    const { topic } = parsed.data;
    if (!socket.data.topics.some((pattern) => matchesTopic(pattern, topic))) {
      return ack(errorReply("forbidden", "this token's topics claim does not allow this topic"));
    }
    if (!socket.connected) return;
    const uid = socket.data.uid;
    if (!queueOf(socket).push(() => change(event, uid, topic).then(ack))) ack(errorReply("rate_limited", `${MAX_QUEUED} subscription changes of this socket already wait`));
  };
  return { roomsOf, handle };

  async function change(event: TopicEvent, uid: string, topic: string): Promise<{ topic: string; subscribed: boolean } | ErrorReply> {
    try {
      if (event === "subscribe") {
        await subscribe(deps.db, topic, [uid]);
        deps.rooms.joined(topic, [uid]);
      } else {
        const { appended } = await unsubscribe(deps.db, topic, [uid]);
        deps.fanOut.appended(appended);
        deps.rooms.left(topic, [uid]);
      }
      return { topic, subscribed: event === "subscribe" };
    } catch (err) {
      const { reply, unexpected } = replyForFailure(err);
      if (unexpected) deps.logger.error({ err, event }, "topic request failed unexpectedly");
      else deps.logger.warn({ err, event }, "topic request failed");
      return reply;
    }
  }
}
