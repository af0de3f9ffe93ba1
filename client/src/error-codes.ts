/**
 * One vocabulary of error codes for everything that can fail between a producer or a device and the hub:
 * the hub's HTTP answers and socket acks (both `{"error": {"code", "message"}}`), its connection refusals
 * (`connect_error`), and this SDK's own failures. A code names one condition wherever it appears; `over`
 * says where it can: `http` (an HTTP answer), `socket` (an ack), `connect` (a refused connection), `sdk`
 * (raised by this SDK, never sent by the hub). `retry`: the same request may succeed if sent again later.
 * The hub's HTTP statuses and headers for these codes are its own business (docs/api.md lists them).
 */
export const HUB_ERROR_CODES = {
  bad_request: { over: ["http"], retry: false, message: "Bad request" },
  invalid_json: { over: ["http"], retry: false, message: "The request body is not valid JSON" },
  invalid_body: { over: ["http"], retry: false, message: "The request body is invalid" },
  invalid_query: { over: ["http"], retry: false, message: "The query string is invalid" },
  invalid_utf8: { over: ["http"], retry: false, message: "The request body is not valid UTF-8" },
  url_not_allowed: {
    over: ["http"],
    retry: false,
    message: "The webhook URL may not be used (its scheme, host or address is not allowed)",
  },
  invalid_payload: { over: ["socket"], retry: false, message: "The payload does not match the event" },
  unknown_event: { over: ["socket"], retry: false, message: "The hub does not know this event" },
  unauthorized: { over: ["http", "connect"], retry: false, message: "A valid API key or token is required" },
  forbidden: { over: ["http", "socket"], retry: false, message: "This API key or token may not do this (its scopes, uid prefix or topics)" },
  not_found: { over: ["http"], retry: false, message: "Not found" },
  method_not_allowed: { over: ["http"], retry: false, message: "Method not allowed" },
  idempotency_conflict: { over: ["http"], retry: false, message: "This Idempotency-Key was used for a different request" },
  body_too_large: { over: ["http"], retry: false, message: "The request body is too large" },
  message_too_large: { over: ["http"], retry: false, message: "The message is too large" },
  unsupported_media_type: { over: ["http"], retry: false, message: "The body must be application/json" },
  unsupported_content_encoding: {
    over: ["http"],
    retry: false,
    message: "Request bodies must not be compressed (Content-Encoding: identity only)",
  },
  rate_limited: { over: ["http", "socket"], retry: true, message: "Too many requests; retry later" },
  inbox_busy: {
    over: ["socket"],
    retry: true,
    message: "This uid already runs as many inbox requests as it may, across its devices; retry later",
  },
  too_many_connections: {
    over: ["http", "connect"],
    retry: true,
    message: "The hub holds as many connections (of this process, or of this uid) as it may; retry later",
  },
  store_unavailable: { over: ["http", "socket"], retry: true, message: "The message store is unavailable; retry later" },
  presence_unavailable: { over: ["http"], retry: true, message: "Presence could not be determined right now; retry later" },
  shutting_down: { over: ["http"], retry: true, message: "This instance is shutting down; retry on another" },
  internal: { over: ["http", "socket"], retry: false, message: "Internal error" },
  timeout: { over: ["sdk"], retry: true, message: "The hub did not answer in time" },
  disconnected: { over: ["sdk"], retry: true, message: "The connection dropped before the hub answered" },
  closed: { over: ["sdk"], retry: false, message: "The inbox was closed" },
  invalid_argument: { over: ["sdk"], retry: false, message: "A bad id, limit or id list (nothing was sent)" },
  invalid_reply: { over: ["sdk"], retry: false, message: "The hub answered a request with a reply this SDK does not understand" },
  invalid_event: { over: ["sdk"], retry: false, message: "The hub sent an event (message, frame, unread, readState) this SDK does not understand" },
  connect_failed: { over: ["sdk"], retry: true, message: "The hub refused the connection without naming a reason" },
  token_failed: { over: ["sdk"], retry: true, message: "The token function threw or returned no token" },
  listener_failed: { over: ["sdk"], retry: false, message: "One of the app's listeners threw (the SDK carried on)" },
} as const satisfies Record<string, { over: readonly ("http" | "socket" | "connect" | "sdk")[]; retry: boolean; message: string }>;

export type HubErrorCode = keyof typeof HUB_ERROR_CODES;

type Over = (typeof HUB_ERROR_CODES)[HubErrorCode]["over"][number];
type CodeOver<W extends Over> = { [C in HubErrorCode]: W extends (typeof HUB_ERROR_CODES)[C]["over"][number] ? C : never }[HubErrorCode];

/** The codes an HTTP answer can carry. */
export type HttpErrorCode = CodeOver<"http">;
/** The codes a socket ack can carry. */
export type SocketErrorCode = CodeOver<"socket">;
/** The codes a refused connection carries (`connect_error`'s `message`, and `data.code`). */
export type ConnectErrorCode = CodeOver<"connect">;

/** Whether sending the same request again later may succeed (false for unknown codes). */
export function isRetryable(code: string): boolean {
  return Object.hasOwn(HUB_ERROR_CODES, code) && HUB_ERROR_CODES[code as HubErrorCode].retry;
}

/** The codes of the table that can appear `over` this path, in table order. */
export function errorCodesOver(over: Over): HubErrorCode[] {
  return (Object.keys(HUB_ERROR_CODES) as HubErrorCode[]).filter((code) =>
    (HUB_ERROR_CODES[code].over as readonly Over[]).includes(over),
  );
}
