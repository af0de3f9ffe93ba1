import { io, type Socket } from "socket.io-client";
import { backoffDelay } from "./backoff.ts";
import type { Settings } from "./connect-options.ts";
import { HubClientError } from "./hub-client-error.ts";
import type { InboxStatus } from "./inbox-events.ts";
import type { ClientToServerEvents, ServerToClientEvents } from "./protocol.ts";
import { ackFailure, unwrapReply } from "./reply.ts";
import { authFrom } from "./token.ts";

export type HubSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
type TimedSocket = ReturnType<HubSocket["timeout"]>;

export interface ConnectionHooks {
  status(status: InboxStatus): void;
  error(err: HubClientError): void;
  /** A handshake was accepted; `epoch` counts them. */
  connected(epoch: number): void;
  disconnected(): void;
}

export const closedError = () => new HubClientError("closed", "the inbox was closed");

/**
 * The socket's life: status, the retries socket.io leaves to the app (a handshake refused by the
 * hub, a disconnect by the server) with a fresh token and backoff, and requests with acks.
 */
export class HubConnection {
  readonly socket: HubSocket;
  #status: InboxStatus = "connecting";
  #epoch = 0;
  #retries = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #waiters = new Set<{ resolve: () => void; reject: (err: HubClientError) => void }>();
  #closed = false;

  constructor(
    private readonly settings: Settings,
    private readonly hooks: ConnectionHooks,
  ) {
    this.socket = io(settings.url, {
      ...settings.socketOptions,
      autoConnect: false,
      auth: authFrom(settings.token, (err) => hooks.error(err)),
    });
    this.socket.on("connect", () => this.#onConnect());
    this.socket.on("disconnect", (reason) => this.#onDisconnect(reason));
    this.socket.on("connect_error", (err) => this.#onConnectError(err));
    this.socket.io.on("reconnect_attempt", this.#onReconnectAttempt);
    this.socket.connect();
  }

  get status(): InboxStatus {
    return this.#status;
  }

  get epoch(): number {
    return this.#epoch;
  }

  get connected(): boolean {
    return this.socket.connected && !this.#closed;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Sends once connected — a request made while disconnected waits for the next connect rather than
   * sitting in socket.io's buffer with its timer running — then waits `requestTimeoutMs` for the ack.
   */
  async request<T>(event: string, send: (socket: TimedSocket) => Promise<unknown>, isValue: (v: unknown) => v is T): Promise<T> {
    if (this.#closed) throw closedError();
    if (!this.socket.connected) await new Promise<void>((resolve, reject) => this.#waiters.add({ resolve, reject }));
    let reply: unknown;
    try {
      reply = await send(this.socket.timeout(this.settings.requestTimeoutMs));
    } catch (err) {
      throw this.#closed ? closedError() : ackFailure(event, err, this.settings.requestTimeoutMs);
    }
    return unwrapReply(event, reply, isValue);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    this.socket.disconnect();
    this.socket.off();
    this.socket.io.off("reconnect_attempt", this.#onReconnectAttempt); // the Manager may be shared
    for (const waiter of this.#waiters) waiter.reject(closedError());
    this.#waiters.clear();
    this.#setStatus("disconnected");
  }

  readonly #onReconnectAttempt = () => this.#setStatus("connecting");

  #onConnect(): void {
    this.#retries = 0;
    this.#setStatus("connected");
    for (const waiter of this.#waiters) waiter.resolve();
    this.#waiters.clear();
    this.hooks.connected(++this.#epoch);
  }

  #onDisconnect(reason: string): void {
    if (this.#closed) return;
    this.#setStatus("disconnected");
    this.hooks.disconnected();
    // The hub dropped the socket on purpose: socket.io leaves reconnecting to the app.
    if (reason === "io server disconnect") this.#retryLater();
  }

  #onConnectError(err: Error): void {
    if (this.#closed) return;
    if (this.socket.active) return this.#setStatus("disconnected"); // a network failure: socket.io retries
    // Refused by the hub's middleware: socket.io does not retry; we do, asking for a fresh token.
    const unauthorized = err.message === "unauthorized";
    this.#setStatus(unauthorized ? "unauthorized" : "disconnected");
    if (!unauthorized) this.hooks.error(new HubClientError(err.message || "connect_failed", `the hub refused the connection: ${err.message}`));
    this.#retryLater();
  }

  #retryLater(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      if (this.#closed || this.socket.connected) return;
      this.#setStatus("connecting");
      this.socket.connect();
    }, backoffDelay(this.#retries++, this.settings.retry));
  }

  #setStatus(status: InboxStatus): void {
    if (status === this.#status) return;
    this.#status = status;
    this.hooks.status(status);
  }
}
