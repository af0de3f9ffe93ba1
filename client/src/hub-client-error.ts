/**
 * Why a request or the SDK itself failed. Codes the SDK raises itself:
 * - `timeout`: the hub did not answer within `requestTimeoutMs`;
 * - `disconnected`: the connection dropped after the request was sent (requests are idempotent: retry);
 * - `closed`: `close()` was called before the request finished;
 * - `invalid_argument`: a bad id, limit or id list (nothing was sent);
 * - `invalid_reply` / `invalid_payload`: the hub sent something this SDK does not understand;
 * - `token_failed`: the `token` function threw or returned something other than a non-empty string;
 * - `listener_failed`: one of the app's listeners threw (the SDK carried on).
 * Any other code is the hub's own (`{"error": {"code", "message"}}`), e.g. `invalid_payload`,
 * `store_unavailable`, `too_many_requests`, `inbox_busy` (retry shortly).
 */
export type HubClientErrorCode =
  | "timeout"
  | "disconnected"
  | "closed"
  | "invalid_argument"
  | "invalid_reply"
  | "invalid_payload"
  | "token_failed"
  | "listener_failed"
  | (string & {});

/** The one error type the SDK rejects with or reports through the `error` event. */
export class HubClientError extends Error {
  override readonly name = "HubClientError";

  /**
   * @example
   * ```ts
   * try {
   *   await inbox.markRead(["42"]);
   * } catch (err) {
   *   if (err instanceof HubClientError && err.code === "timeout") retryLater();
   * }
   * ```
   */
  constructor(
    readonly code: HubClientErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
