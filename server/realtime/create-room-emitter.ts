import type { EmitOutcome, RoomEmitter } from "../delivery/room-emitter.ts";
import type { MessagePayload } from "../protocol/message-payload.ts";
import type { HubServer } from "./events.ts";
import { userRoom } from "./rooms.ts";

interface RoomEmitterOptions {
  ackTimeoutMs: number;
  /** False while the adapter's Redis is away: emits then end as "unsent" without being published. */
  ready: () => boolean;
  /** How long a count of the cluster's servers is reused (Redis PUBSUB NUMSUB otherwise runs per emit). */
  serverCountTtlMs?: number;
  /** The emit reached at least one socket (called once, as soon as a server reports one). */
  onReached?: (uid: string, payload: MessagePayload) => void;
}

const EVENT = 2; // socket.io-parser PacketType.EVENT

/**
 * Emits `message` to every socket of the uid on any instance, through the adapter's broadcastWithAck
 * (what `io.to(room).timeout(t).emit(…, cb)` uses), but settles at the FIRST ack instead of waiting for
 * every socket: one device that does not answer must not hold the uid's window for the whole timeout.
 * "offline" = every server reported zero sockets. Never rejects.
 */
export function createRoomEmitter(io: HubServer, options: RoomEmitterOptions): RoomEmitter {
  const nsp = io.of("/");
  const ttl = options.serverCountTtlMs ?? 1000;
  let count: { value: number; at: number } | undefined;
  let refreshing: Promise<number> | undefined;

  const serverCount = (fresh = false): Promise<number> => {
    if (fresh) return Promise.resolve(nsp.adapter.serverCount()).catch(() => count?.value ?? 1);
    if (count && Date.now() - count.at < ttl) return Promise.resolve(count.value);
    refreshing ??= Promise.resolve(nsp.adapter.serverCount())
      .then(
        (value) => ((count = { value, at: Date.now() }), value),
        () => count?.value ?? 1,
      )
      .finally(() => (refreshing = undefined));
    return refreshing;
  };

  return (uid, payload) =>
    new Promise<EmitOutcome>((resolve) => {
      if (!options.ready()) return resolve("unsent");
      const room = userRoom(uid);
      const packet: { type: number; data: unknown[]; id?: number } = { type: EVENT, data: ["message", payload] };
      let settled = false;
      let expectedServers = -1;
      let reportedServers = 0;
      let clients = 0;
      let acks = 0;
      let recounted = false;
      const settle = (outcome: EmitOutcome) => {
        if (settled) return;
        settled = true;
        resolve(outcome);
      };
      const complete = () => expectedServers >= 0 && reportedServers >= expectedServers && acks >= clients;
      const timer = setTimeout(() => {
        // Sockets that never answered must not keep this ack's callback for the rest of their life.
        if (packet.id !== undefined) {
          for (const id of nsp.adapter.rooms.get(room) ?? []) {
            (nsp.sockets.get(id) as unknown as { acks?: Map<number, unknown> } | undefined)?.acks?.delete(packet.id);
          }
        }
        settle("timeout");
      }, options.ackTimeoutMs);
      timer.unref(); // a stopping hub does not wait for acks that will not come
      const check = () => {
        if (!complete()) return;
        if (clients === 0 && !recounted) {
          // "Nobody connected" parks the uid, so it must not rest on a cached count that misses an
          // instance which has just (re)subscribed. A count taken now is taken after the PUBLISH (one
          // connection, in order): an instance it misses was not subscribed when the emit went out.
          recounted = true;
          void serverCount(true).then((n) => {
            expectedServers = Math.max(expectedServers, n);
            check();
          });
          return;
        }
        clearTimeout(timer);
        settle(clients === 0 ? "offline" : "acked");
      };
      try {
        nsp.adapter.broadcastWithAck(
          packet as never,
          { rooms: new Set([room]), except: new Set(), flags: { timeout: options.ackTimeoutMs } },
          (clientCount: number) => {
            if (clients === 0 && clientCount > 0) options.onReached?.(uid, payload);
            clients += clientCount;
            reportedServers++;
            check();
          },
          () => {
            acks++;
            settle("acked");
            check();
          },
        );
      } catch {
        clearTimeout(timer);
        return settle("unsent");
      }
      void serverCount().then((n) => {
        expectedServers = n;
        check();
      });
    });
}
