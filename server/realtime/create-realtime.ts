import type { Server as HttpServer } from "node:http";
import type { Logger } from "pino";
import { Server, type ServerOptions } from "socket.io";
import type { HubServer, HubSocket, UnreadPayload } from "./events.ts";
import type { DeliveryTarget } from "../delivery/delivery-target.ts";
import type { OriginPolicy } from "../lib/origin-policy.ts";
import type { Metrics } from "../metrics/create-metrics.ts";
import type { TokenService } from "./auth.ts";
import { INBOX_EVENTS, type InboxEvent } from "./inbox-handlers.ts";
import { TOPIC_EVENTS, type TopicEvent } from "./topic-handlers.ts";
import type { ConnectionLimiter } from "./connection-limiter.ts";
import { createSocketTarget } from "./create-socket-target.ts";
import { userRoom } from "./rooms.ts";
import { connectError, errorReply } from "./socket-errors.ts";
import { bufferedPackets } from "./write-buffer.ts";

interface JoinedSocket {
  uid: string;
  /** The socket as the delivery engine sends to it. */
  target: DeliveryTarget;
  emitUnread: (payload: UnreadPayload) => void;
}

interface RealtimeDeps {
  httpServer: HttpServer;
  logger: Logger;
  metrics: Metrics;
  tokens: TokenService;
  adapter?: ServerOptions["adapter"];
  /** A socket has joined its uid's room: it is delivered to and told its unread count. */
  onJoin: (socket: JoinedSocket) => void;
  /** A joined socket is gone. */
  onLeave: (uid: string, socketId: string) => void;
  /** An inbox event (read, readUpTo, sync) of a socket, with its arguments (the ack last). */
  inbox: (socket: HubSocket, event: InboxEvent, args: unknown[]) => void;
  topics: {
    /** The topic rooms a connecting socket of `uid` joins (its uid's topics). */
    roomsOf: (uid: string) => Promise<string[]>;
    /** A topic event (subscribe, unsubscribe) of a socket, with its arguments (the ack last). */
    handle: (socket: HubSocket, event: TopicEvent, args: unknown[]) => void;
  };
  maxHttpBufferSize: number;
  /** MAX_SOCKETS_PER_UID, counted across instances when Redis is configured. */
  connections: ConnectionLimiter;
  /**
   * A socket whose outgoing queue exceeds this many packets is not reading (or cannot keep up): it is
   * cut off so its queue cannot grow without bound. Its unacked messages stay queued and are
   * delivered again when it reconnects.
   */
  maxBufferedPackets: number;
  /** ALLOWED_ORIGINS: a page of another origin opens a socket (either transport) only when listed. */
  allowsOrigin: OriginPolicy;
}

type KnownEvent = InboxEvent | TopicEvent;
const KNOWN_EVENTS: readonly KnownEvent[] = [...INBOX_EVENTS, ...TOPIC_EVENTS];
const isInboxEvent = (event: unknown): event is InboxEvent => INBOX_EVENTS.includes(event as InboxEvent);
const isTopicEvent = (event: unknown): event is TopicEvent => TOPIC_EVENTS.includes(event as TopicEvent);

/** Socket.IO on the shared http.Server: JWT handshake, one room per uid, the inbox events, nothing else. */
export function createRealtime(deps: RealtimeDeps): HubServer {
  const io: HubServer = new Server(deps.httpServer, {
    path: "/socket.io",
    serveClient: true,
    maxHttpBufferSize: deps.maxHttpBufferSize,
    pingInterval: 25000,
    pingTimeout: 20000,
    connectTimeout: 10000,
    ...(deps.adapter ? { adapter: deps.adapter } : {}),
    // CORS only makes the polling transport readable; WebSocket handshakes ignore it, so the origin
    // is checked here for both.
    allowRequest: (req, callback) => {
      const allowed = deps.allowsOrigin(req.headers.origin, req.headers.host);
      callback(allowed ? null : "origin not allowed", allowed);
    },
    cors: { origin: (origin, callback) => callback(null, origin !== undefined && deps.allowsOrigin(origin, undefined)) },
  });

  io.use((socket, next) => {
    const auth: unknown = socket.handshake.auth;
    const token = auth !== null && typeof auth === "object" ? (auth as { token?: unknown }).token : undefined;
    deps.tokens.verifyClaims(token).then(
      (claims) => {
        if (claims === null) return next(connectError("unauthorized"));
        socket.data.uid = claims.uid;
        socket.data.topics = claims.topics;
        socket.data.frames = (auth as { frames?: unknown }).frames === true;
        next();
      },
      () => next(connectError("unauthorized")),
    );
  });

  io.use((socket, next) => {
    void deps.topics.roomsOf(socket.data.uid).then((rooms) => {
      socket.data.topicRooms = rooms;
      next();
    });
  });

  // The last middleware: Socket.IO connects the socket on the tick after it, or drops it without a
  // "disconnect" when its connection closed during the handshake. A socket not connected by the tick after
  // that gives its slot back (a connected one gives it back on "disconnect"; releasing twice is harmless).
  io.use((socket, next) => {
    void deps.connections.acquire(socket.data.uid, socket.id).then((ok) => {
      if (!ok) return next(connectError("too_many_connections"));
      next();
      process.nextTick(releaseUnlessConnected, deps.connections, socket);
    });
  });

  // A socket's events all go through one listener shared by every socket (Socket.IO calls a socket's
  // listeners on the socket): a listener per event and socket kept ~1 KB more of each idle socket alive.
  const routeEvent = function (this: HubSocket, event: unknown, ...args: unknown[]): void {
    if (isInboxEvent(event)) return deps.inbox(this, event, args);
    if (isTopicEvent(event)) return deps.topics.handle(this, event, args);
    // Unknown events are ignored; one that asks for an ack gets an error instead of a client-side timeout.
    const ack = args[args.length - 1];
    if (typeof ack === "function") ack(errorReply("unknown_event", `the hub accepts only the ${KNOWN_EVENTS.join(", ")} events`));
  };
  const onSocketError = (err: Error) => deps.logger.debug({ err }, "socket error");

  io.on("connection", (socket) => {
    const { uid } = socket.data;
    if (socket.data.topicRooms.length > 0) void socket.join(socket.data.topicRooms);
    deps.metrics.connections.inc();
    let joined = false;
    socket.onAny(routeEvent);
    socket.on("disconnect", () => {
      deps.metrics.connections.dec();
      deps.connections.release(uid, socket.id);
      if (joined) deps.onLeave(uid, socket.id);
    });
    socket.on("error", onSocketError);
    // A socket whose connection holds more packets than this is not reading: it is dropped, its queue with it.
    socket.conn.on("packetCreate", () => {
      if (bufferedPackets(socket.conn) !== deps.maxBufferedPackets) return;
      deps.logger.warn({ uid, queued: deps.maxBufferedPackets + 1 }, "socket is not reading; disconnecting it");
      socket.conn.close(true); // discard: its queue is dropped at once; the messages stay queued in the store
    });
    void Promise.resolve(socket.join(userRoom(uid))).then(
      () => {
        if (!socket.connected) return;
        joined = true;
        deps.onJoin({ uid, target: createSocketTarget(socket), emitUnread: (payload) => socket.emit("unread", payload) });
      },
      (err: unknown) => deps.logger.warn({ err }, "could not join the uid room"),
    );
  });

  return io;
}

function releaseUnlessConnected(connections: ConnectionLimiter, socket: HubSocket): void {
  if (!socket.connected) connections.release(socket.data.uid, socket.id);
}
