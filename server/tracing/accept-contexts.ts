import type { SpanContext } from "@opentelemetry/api";

/**
 * The accept span of each message not acked yet, by message id: its emit and ack spans become its
 * children. Bounded: past `max` (offline users' messages wait long) the oldest are forgotten, and their
 * emit and ack spans start traces of their own, linked to the accept by `pushhub.message_id` only.
 */
export function createAcceptContexts(max: number) {
  const byId = new Map<string, SpanContext>();
  return {
    get: (id: string) => byId.get(id),
    set(id: string, accept: SpanContext): void {
      byId.set(id, accept);
      if (byId.size > max) byId.delete(byId.keys().next().value as string);
    },
    delete: (id: string) => void byId.delete(id),
  };
}

/** W3C trace context: `00-<trace id>-<span id>-<flags>`. */
export const toTraceparent = (c: SpanContext): string => `00-${c.traceId}-${c.spanId}-${(c.traceFlags & 0xff).toString(16).padStart(2, "0")}`;

export function fromTraceparent(traceparent: unknown): SpanContext | undefined {
  const m = typeof traceparent === "string" ? /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(traceparent) : null;
  return m ? { traceId: m[1] as string, spanId: m[2] as string, traceFlags: parseInt(m[3] as string, 16), isRemote: true } : undefined;
}
