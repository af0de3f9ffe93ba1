import { HubClientError } from "./hub-client-error.ts";

/** A JWT, or a function that fetches a fresh one from the app's backend. */
export type TokenSource = string | (() => string | Promise<string>);

/** What the SDK's handshake carries: the token, and that it takes frames (`messages` events). */
export interface HandshakeAuth {
  token?: string;
  frames: true;
}

/**
 * socket.io's `auth` callback form: it runs before every (re)connect, so a token function is asked
 * again each time and an expired token is replaced. When the function fails, the handshake goes out
 * without a token: the hub answers "unauthorized" and the SDK retries with backoff, asking again.
 * Every handshake asks for frames: the hub then sends the ready messages of a window as one event.
 */
export function authFrom(token: TokenSource, onError: (err: HubClientError) => void) {
  return (send: (data: HandshakeAuth) => void): void => {
    const cb = (data: { token?: string }) => send({ ...data, frames: true });
    if (typeof token === "string") return cb({ token });
    let pending: Promise<string>;
    try {
      pending = Promise.resolve(token());
    } catch (err) {
      pending = Promise.reject(err);
    }
    pending.then(
      (value) => {
        if (typeof value === "string" && value.length > 0) return cb({ token: value });
        onError(new HubClientError("token_failed", "the token function returned no token"));
        cb({});
      },
      (err: unknown) => {
        onError(new HubClientError("token_failed", "the token function failed", { cause: err }));
        cb({});
      },
    );
  };
}
