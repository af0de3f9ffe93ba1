import { HubClientError } from "./hub-client-error.ts";
import { isErrorReply } from "./protocol.ts";

/**
 * The value of a hub reply: the hub's `{"error"}` becomes a HubClientError with the hub's code, and a
 * reply of the wrong shape an `invalid_reply` one.
 */
export function unwrapReply<T>(event: string, reply: unknown, isValue: (v: unknown) => v is T): T {
  if (isErrorReply(reply)) throw new HubClientError(reply.error.code, String(reply.error.message));
  if (isValue(reply)) return reply;
  throw new HubClientError("invalid_reply", `the hub answered "${event}" with an unexpected reply`);
}

/** socket.io's ack errors (timeout, disconnect) as HubClientErrors. */
export function ackFailure(event: string, err: unknown, timeoutMs: number): HubClientError {
  if (err instanceof HubClientError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (message === "socket has been disconnected") {
    return new HubClientError("disconnected", `the connection dropped before the hub answered "${event}"`, { cause: err });
  }
  return new HubClientError("timeout", `the hub did not answer "${event}" within ${timeoutMs} ms`, { cause: err });
}
