import type { Server, Socket } from "node:net";
import type { Logger } from "pino";
import type { HttpErrorCode } from "../errors/error-codes.ts";
import { createThrottledWarning } from "../lib/throttled-warning.ts";

interface CapOptions {
  /** MAX_CONNECTIONS: connections held at once, refused ones not counted. */
  max: number;
  logger: Logger;
  onRefused: () => void;
  /** How long a refused connection may take to read its 503 before it is closed. */
  graceMs?: number;
  /** Refused connections still draining at most; beyond, new ones are closed without an answer. */
  maxRefusing?: number;
}

const code: HttpErrorCode = "too_many_connections";
const BODY = JSON.stringify({
  error: { code, message: "This instance holds as many connections as it may; retry later or on another instance" },
});
const REFUSAL =
  "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; charset=utf-8\r\n" +
  `Content-Length: ${Buffer.byteLength(BODY)}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n${BODY}`;

/**
 * Caps the TCP connections `server` holds (HTTP requests, Socket.IO polling and WebSockets alike) below
 * the process's descriptor limit, so a flood of connections cannot take the descriptors the database
 * and Redis clients, or the monitoring listener, need. One past the cap is answered at once with a
 * complete 503 `too_many_connections` (not a silent close, as `server.maxConnections` does) and closed.
 *
 * The check sits in front of the HTTP server's own "connection" listener: a refused connection never
 * reaches the HTTP parser, so no request on it can run (a POST on it is never stored behind its 503).
 * Node has no hook there (a prepended listener still lets the HTTP server's run), so the server's
 * `emit` is wrapped for the "connection" event, which net.Server emits for every accepted socket.
 */
export function capConnections(server: Server, o: CapOptions): { readonly open: number } {
  const graceMs = o.graceMs ?? 1000;
  const maxRefusing = o.maxRefusing ?? 1000;
  const warn = createThrottledWarning(o.logger);
  let open = 0;
  let refusing = 0;

  const refuse = (socket: Socket) => {
    o.onRefused();
    warn({ max: o.max }, "MAX_CONNECTIONS reached; refusing new connections with 503");
    socket.on("error", () => undefined);
    if (refusing >= maxRefusing) return void socket.destroy();
    refusing++;
    socket.once("close", () => void refusing--);
    // Read (and drop) what the client sends, so closing never meets unread data (which would reset the
    // connection before the client has read the answer).
    socket.resume();
    socket.end(REFUSAL);
    setTimeout(() => socket.destroy(), graceMs).unref();
  };

  const closed = () => void open--;
  const emit = server.emit;
  server.emit = function (this: Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event === "connection") {
      const socket = args[0] as Socket;
      if (open >= o.max) {
        refuse(socket);
        return true;
      }
      open++;
      socket.on("close", closed); // "close" comes once; one listener shared by every socket
    }
    return Reflect.apply(emit, this, [event, ...args]) as boolean;
  } as Server["emit"];

  return {
    get open() {
      return open;
    },
  };
}
