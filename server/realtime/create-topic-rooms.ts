import type { Logger } from "pino";
import type { HubServer, LivePayload } from "./events.ts";
import { userRoom } from "./rooms.ts";

/** The room of a topic's subscribers' sockets: live events go to it. */
export const topicRoom = (topic: string) => `topic:${topic}`;

const CHUNK = 1000;

/**
 * Keeps topic rooms in step with subscriptions on every instance (through the adapter): the sockets of
 * newly subscribed uids join the topic's room, those of unsubscribed ones leave it; a socket joins the
 * rooms of its uid's topics when it connects (create-realtime). Live events go to the room: at most once,
 * to whoever is in it right now.
 */
export function createTopicRooms(deps: { io: () => HubServer; logger: Logger }) {
  const inChunks = (uids: readonly string[], each: (rooms: string[]) => void | Promise<void>) => {
    for (let i = 0; i < uids.length; i += CHUNK) {
      void Promise.resolve(each(uids.slice(i, i + CHUNK).map(userRoom))).catch((err: unknown) =>
        deps.logger.warn({ err }, "could not update topic rooms (sockets connected now follow on their next connect)"),
      );
    }
  };
  return {
    joined(topic: string, uids: readonly string[]): void {
      inChunks(uids, (rooms) => deps.io().in(rooms).socketsJoin(topicRoom(topic)));
    },
    left(topic: string, uids: readonly string[]): void {
      inChunks(uids, (rooms) => deps.io().in(rooms).socketsLeave(topicRoom(topic)));
    },
    live(topic: string, event: string, data: unknown): void {
      const payload: LivePayload = { topic, event, data };
      deps.io().to(topicRoom(topic)).emit("live", payload);
    },
  };
}

export type TopicRooms = ReturnType<typeof createTopicRooms>;
