import { HUB_ERROR_CODES, type ConnectErrorCode, type SocketErrorCode } from "../errors/error-codes.ts";
import { StoreUnavailableError } from "../store/store-unavailable-error.ts";
import type { ErrorReply } from "./events.ts";

/** The ack a socket request is refused with: `{"error": {"code", "message"}}`, the message defaulting to the table's. */
export function errorReply(code: SocketErrorCode, message: string = HUB_ERROR_CODES[code].message): ErrorReply {
  return { error: { code, message } };
}

/**
 * What a handler that threw answers: the store's reported failures are `store_unavailable` (retry);
 * anything else is a bug of the hub's, `internal`, and says so (`unexpected` tells the caller to log it
 * as an error, not as a passing outage).
 */
export function replyForFailure(err: unknown): { reply: ErrorReply; unexpected: boolean } {
  if (err instanceof StoreUnavailableError) return { reply: errorReply("store_unavailable", `could not reach the message store (${err.message}); retry`), unexpected: false };
  return { reply: errorReply("internal"), unexpected: true };
}

/**
 * A handshake refusal: the client's `connect_error` has the code as its `message` (what clients have
 * always compared against) and `{code, message}` as its `data`.
 */
export function connectError(code: ConnectErrorCode): Error & { data: { code: ConnectErrorCode; message: string } } {
  return Object.assign(new Error(code), { data: { code, message: HUB_ERROR_CODES[code].message } });
}
