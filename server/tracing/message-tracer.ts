import type { AcceptOutput } from "../store/accept-requests.ts";
import type { Enqueuer } from "../store/create-enqueuer.ts";
import type { AcceptRequest } from "../store/new-message.ts";
import type { StreamMessage } from "../store/stream-message.ts";

/**
 * A message's way through the hub as OpenTelemetry spans, each carrying `pushhub.message_id`: accept (the
 * producer request), commit (its group commit's statement), emit (the first send of each attempt) and ack;
 * commit, emit and ack are children of the accept span. Made only by `start-tracing.ts`, which is loaded
 * only with OTEL_EXPORTER_OTLP_ENDPOINT set: otherwise it is an absent optional dependency (a null check).
 */
export interface MessageTracer {
  /** The enqueuer with each request in an accept span (a child of the active span: the HTTP request's). */
  traceAccepts(enqueuer: Enqueuer): Enqueuer;
  /** Runs one try of a group commit's statement inside a commit span per request. */
  commit(requests: readonly AcceptRequest[], store: () => Promise<AcceptOutput>): Promise<AcceptOutput>;
  emitted(m: StreamMessage, attempt: number): void;
  /** Acked `sentMs` after the attempt's first send. */
  acked(m: StreamMessage, sentMs: number): void;
  /** Traceparents of messages handed to their holder on another instance ("" where unknown); undefined: none known. */
  relayed(messages: readonly StreamMessage[]): string[] | undefined;
  /** Messages another instance handed over with their traceparents: their emits and acks here join those traces. */
  received(messages: readonly { id: string }[], traceparents: unknown): void;
}
