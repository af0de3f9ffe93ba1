/** A validated message on its way into the store. */
export interface NewMessage {
  uid: string;
  /** `msg` as received (what a live delivery sends). */
  msg: unknown;
  /** `msg` as JSON text, exactly as it will be stored. */
  body: string;
  /** UTF-8 size of `body`. */
  bytes: number;
  type: number;
  clientType: number;
  ttlSeconds: number | null;
  expiresAt: Date | null;
}

/**
 * What one producer request asks to store. A request with an idempotency key stores its messages once:
 * a later request with the same producer, scope and key gets the first one's ids instead.
 */
export interface AcceptRequest {
  /** Fingerprint of the producer's API key. */
  producer: string;
  /** Keys of single-message and batch requests live apart, so neither can alias the other. */
  scope: "message" | "batch";
  key: string | null;
  /** Digest of the request's content: a replay with other content is a conflict. */
  hash: string;
  messages: NewMessage[];
  /** With tracing on, the request's span context (opaque here: the tracer's own, handed back to it at commit). */
  trace?: unknown;
}

export type AcceptOutcome = "stored" | "replayed" | "conflict";

export interface AcceptResult {
  outcome: AcceptOutcome;
  /** Message ids in request order (for a replay or conflict: the first request's). */
  ids: string[];
}
