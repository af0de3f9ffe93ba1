import type { Server as HttpServer } from "node:http";
import type { Logger } from "pino";
import { Server, type ServerOptions } from "socket.io";
import type { HubServer } from "../delivery/create-message-emitter.ts";
import type { Metrics } from "../metrics/create-metrics.ts";
import type { TokenService } from "./auth.ts";
import { userRoom } from "./rooms.ts";

export interface RealtimeDeps {
  httpServer: HttpServer;
  logger: Logger;
  metrics: Metrics;
  tokens: TokenService;
  adapter?: ServerOptions["adapter"];
  /** A socket of `uid` has joined its room (backlog). */
  onJoin: (uid: string, stillConnected: () => boolean) => void;
  onRead: (uid: string) => (...args: unknown[]) => void;
  maxHttpBufferSize: number;
}

/** Socket.IO on the shared http.Server: JWT handshake, one room per uid, `read`, nothing else. */
export function createRealtime(deps: RealtimeDeps): HubServer {
  const io: HubServer = new Server(deps.httpServer, {
    path: "/socket.io",
    serveClient: true,
    maxHttpBufferSize: deps.maxHttpBufferSize,
    pingInterval: 25000,
    pingTimeout: 20000,
    connectTimeout: 10000,
    ...(deps.adapter ? { adapter: deps.adapter } : {}),
  });

  io.use((socket, next) => {
    const auth: unknown = socket.handshake.auth;
    const token = auth !== null && typeof auth === "object" ? (auth as { token?: unknown }).token : undefined;
    deps.tokens.verify(token).then(
      (uid) => {
        if (uid === null) return next(new Error("unauthorized"));
        socket.data.uid = uid;
        next();
      },
      () => next(new Error("unauthorized")),
    );
  });

  io.on("connection", (socket) => {
    const { uid } = socket.data;
    deps.metrics.connections.inc();
    socket.on("disconnect", () => deps.metrics.connections.dec());
    socket.on("read", deps.onRead(uid));
    socket.on("error", (err) => deps.logger.debug({ err }, "socket error"));
    void Promise.resolve(socket.join(userRoom(uid))).then(
      () => deps.onJoin(uid, () => socket.connected),
      (err: unknown) => deps.logger.warn({ err }, "could not join the uid room"),
    );
  });

  return io;
}
