import type { HubErrorCode } from "./error-codes.ts";

/**
 * Why a request or the SDK itself failed: a code of the hub's error table (HUB_ERROR_CODES, where each
 * code says whether retrying may help). The SDK raises `timeout`, `disconnected`, `closed`,
 * `invalid_argument`, `invalid_reply` (a reply it cannot read), `invalid_event` (an event it cannot
 * read), `token_failed` and `listener_failed` itself; the others are the hub's answers
 * (`{"error": {"code", "message"}}`), e.g. `invalid_payload`, `store_unavailable`, `rate_limited`,
 * `inbox_busy` (retry shortly), `internal`. A hub newer than this SDK may send a code it does not list.
 */
export type HubClientErrorCode = HubErrorCode | (string & {});

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
