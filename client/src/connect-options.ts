import type { ManagerOptions, SocketOptions } from "socket.io-client";
import type { BackoffOptions } from "./backoff.ts";
import { HubClientError } from "./hub-client-error.ts";
import type { TokenSource } from "./token.ts";
import { checkId, checkPageSize } from "./validate.ts";

export interface ConnectOptions {
  /** The hub's origin, e.g. `https://push.example.com` (Socket.IO path `/socket.io`). */
  url: string;
  /** The JWT, or a function returning a fresh one; a function is called before every (re)connect. */
  token: TokenSource;
  /** Resume point: the highest id the app already has (e.g. from storage). Catch-up starts after it. */
  lastSeenId?: string | null;
  /** Catch up through `sync` on every (re)connect. Default true. */
  syncOnConnect?: boolean;
  /** Messages per `sync` page while catching up, 1–500. Default 100. */
  pageSize?: number;
  /** How long a request waits for the hub's answer once sent. Default 10000 ms. */
  requestTimeoutMs?: number;
  /** How many recent ids are remembered for dedupe. Default 10000. */
  dedupeCapacity?: number;
  /** The SDK's own retries (refused handshakes, failed catch-up): default 1 s doubling to 30 s. */
  retry?: Pick<BackoffOptions, "initialMs" | "maxMs">;
  /** Passed to socket.io-client's `io()` (transports, path, …); `auth` and `autoConnect` are the SDK's. */
  socketOptions?: Omit<Partial<ManagerOptions & SocketOptions>, "auth" | "autoConnect">;
}

/** ConnectOptions checked, with the defaults filled in. */
export interface Settings {
  url: string;
  token: TokenSource;
  lastSeenId: string | null;
  syncOnConnect: boolean;
  pageSize: number;
  requestTimeoutMs: number;
  dedupeCapacity: number;
  retry: BackoffOptions;
  socketOptions: ConnectOptions["socketOptions"];
}

const invalid = (message: string) => new HubClientError("invalid_argument", message);

/** Throws `invalid_argument` for the first bad option. */
export function settingsFrom(options: ConnectOptions): Settings {
  if (typeof options !== "object" || options === null) throw invalid("connect() needs an options object");
  const { url, token, requestTimeoutMs = 10_000, dedupeCapacity = 10_000 } = options;
  if (typeof url !== "string" || url === "") throw invalid("url is required");
  if (typeof token !== "string" && typeof token !== "function") throw invalid("token must be a string or a function returning one");
  if (!(requestTimeoutMs > 0 && requestTimeoutMs < 2 ** 31)) throw invalid("requestTimeoutMs must be a positive number of milliseconds");
  if (!Number.isInteger(dedupeCapacity) || dedupeCapacity < 1) throw invalid("dedupeCapacity must be a positive integer");
  return {
    url,
    token,
    lastSeenId: options.lastSeenId == null ? null : checkId(options.lastSeenId, "lastSeenId"),
    syncOnConnect: options.syncOnConnect ?? true,
    pageSize: checkPageSize(options.pageSize ?? 100, "pageSize"),
    requestTimeoutMs,
    dedupeCapacity,
    retry: { ...options.retry },
    socketOptions: options.socketOptions,
  };
}
