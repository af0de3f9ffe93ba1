import type { HubSocket } from "./events.ts";
import { createInboxQueue, type InboxQueue } from "./inbox-queue.ts";

/**
 * One request queue per socket, made at the socket's first request (most sockets never send one, and an
 * idle socket should cost the hub no more than it must) and closed when it disconnects.
 */
export function createSocketQueues(o: { maxQueued: number; ready: (socket: HubSocket) => Promise<void> }) {
  const queues = new WeakMap<HubSocket, InboxQueue>();
  return (socket: HubSocket): InboxQueue => {
    const known = queues.get(socket);
    if (known) return known;
    const queue = createInboxQueue({ maxQueued: o.maxQueued, ready: () => o.ready(socket) });
    queues.set(socket, queue);
    socket.once("disconnect", () => queue.close());
    return queue;
  };
}
