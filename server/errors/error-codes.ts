/** What one error code means over HTTP. */
interface ErrorSpec {
  status: number;
  /** The message when the thrower gives none. */
  message: string;
  /** Whether the message may be shown to the caller; by default only below 500. */
  expose?: boolean;
  headers?: Record<string, string>;
}

/** Every code the HTTP API answers with; docs/api.md explains to clients those a request can cause. */
export const ERROR_CODES = {
  bad_request: { status: 400, message: "Bad request" },
  invalid_json: { status: 400, message: "The request body is not valid JSON" },
  invalid_body: { status: 400, message: "The request body is invalid" },
  invalid_query: { status: 400, message: "The query string is invalid" },
  invalid_utf8: { status: 400, message: "The request body is not valid UTF-8" },
  unauthorized: { status: 401, message: "A valid API key is required" },
  not_found: { status: 404, message: "Not found" },
  method_not_allowed: { status: 405, message: "Method not allowed" },
  idempotency_conflict: { status: 409, message: "This Idempotency-Key was used for a different request" },
  body_too_large: { status: 413, message: "The request body is too large" },
  message_too_large: { status: 413, message: "The message is too large" },
  unsupported_media_type: { status: 415, message: "The body must be application/json" },
  unsupported_content_encoding: {
    status: 415,
    message: "Request bodies must not be compressed (Content-Encoding: identity only)",
    headers: { "Accept-Encoding": "identity" },
  },
  rate_limited: { status: 429, message: "Too many requests; retry later" },
  internal_error: { status: 500, message: "Internal error", expose: false },
  store_unavailable: {
    status: 503,
    message: "The message store is unavailable; retry later",
    expose: true,
    headers: { "Retry-After": "1" },
  },
  presence_unavailable: {
    status: 503,
    message: "Presence could not be determined right now; retry later",
    expose: true,
    headers: { "Retry-After": "1" },
  },
  shutting_down: {
    status: 503,
    message: "This instance is shutting down; retry on another",
    expose: true,
    headers: { "Retry-After": "1", Connection: "close" },
  },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * Every code a socket's ack can carry (`{"error": {"code", "message"}}`), with its default message;
 * docs/api.md lists them for clients.
 */
export const SOCKET_ERROR_CODES = {
  invalid_payload: "the payload does not match the event",
  too_many_requests: "too many requests of this socket are waiting; retry later",
  inbox_busy: "this uid already runs as many inbox requests as it may, across its devices; retry later",
  store_unavailable: "could not reach the message store; retry",
  unknown_event: "the hub does not know this event",
} as const;

export type SocketErrorCode = keyof typeof SOCKET_ERROR_CODES;
