import type { HttpErrorCode } from "../../client/src/error-codes.ts";

/**
 * The error vocabulary is one table shared with the client SDK (client/src/error-codes.ts: codes, default
 * messages, where each can appear); this is what each code that an HTTP answer can carry means over HTTP.
 */
interface HttpSpec {
  status: number;
  /** Whether the message may be shown to the caller; by default only below 500. */
  expose?: boolean;
  headers?: Record<string, string>;
}

const retryInASecond = { "Retry-After": "1" };

/** Every code the HTTP API answers with, and its status; docs/api.md explains them to clients. */
export const HTTP_ERRORS = {
  bad_request: { status: 400 },
  invalid_json: { status: 400 },
  invalid_body: { status: 400 },
  invalid_query: { status: 400 },
  invalid_utf8: { status: 400 },
  url_not_allowed: { status: 400 },
  unauthorized: { status: 401 },
  forbidden: { status: 403 },
  not_found: { status: 404 },
  method_not_allowed: { status: 405 },
  idempotency_conflict: { status: 409 },
  body_too_large: { status: 413 },
  message_too_large: { status: 413 },
  unsupported_media_type: { status: 415 },
  unsupported_content_encoding: { status: 415, headers: { "Accept-Encoding": "identity" } },
  rate_limited: { status: 429 },
  internal: { status: 500, expose: false },
  store_unavailable: { status: 503, expose: true, headers: retryInASecond },
  presence_unavailable: { status: 503, expose: true, headers: retryInASecond },
  shutting_down: { status: 503, expose: true, headers: { ...retryInASecond, Connection: "close" } },
  too_many_connections: { status: 503, expose: true, headers: { ...retryInASecond, Connection: "close" } },
} as const satisfies Record<HttpErrorCode, HttpSpec>;

export type { HttpErrorCode, SocketErrorCode, ConnectErrorCode } from "../../client/src/error-codes.ts";
export { HUB_ERROR_CODES } from "../../client/src/error-codes.ts";
