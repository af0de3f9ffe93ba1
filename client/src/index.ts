/**
 * @push-hub/client — the typed SDK for push-hub's Socket.IO protocol. Browsers and Node alike; its
 * one import from outside is Socket.IO's client, by its bare package name (hubs rewrite it for browsers).
 */
export { connect, Inbox } from "./inbox.ts";
export type { ConnectOptions } from "./connect-options.ts";
export type { InboxEvents, InboxMessage, InboxPage, InboxStatus, LiveMessage, SyncedMessage } from "./inbox-events.ts";
export { HubClientError, type HubClientErrorCode } from "./hub-client-error.ts";
export { HUB_ERROR_CODES, errorCodesOver, isRetryable, type ConnectErrorCode, type HttpErrorCode, type HubErrorCode, type SocketErrorCode } from "./error-codes.ts";
export type { LivePayload, MessageStatus, ReadStateEvent } from "./protocol.ts";
export type { TokenSource } from "./token.ts";
export type { BackoffOptions } from "./backoff.ts";
export { compareIds, isMessageId } from "./message-ids.ts";
