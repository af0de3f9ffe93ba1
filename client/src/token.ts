import { HubClientError } from "./hub-client-error.ts";

/** A JWT, or a function that fetches a fresh one from the app's backend. */
export type TokenSource = string | (() => string | Promise<string>);

/**
 * socket.io's `auth` callback form: it runs before every (re)connect, so a token function is asked
 * again each time and an expired token is replaced. When the function fails, the handshake goes out
 * without a token: the hub answers "unauthorized" and the SDK retries with backoff, asking again.
 */
export function authFrom(token: TokenSource, onError: (err: HubClientError) => void) {
  return (cb: (data: { token?: string }) => void): void => {
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
