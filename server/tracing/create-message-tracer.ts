import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, trace, type Context, type Span, type Tracer } from "@opentelemetry/api";
import { createAcceptContexts, fromTraceparent, toTraceparent } from "./accept-contexts.ts";
import type { MessageTracer } from "./message-tracer.ts";

const MESSAGE_ID = "pushhub.message_id";
/** Accept span contexts kept for messages not acked yet (~200 bytes each). */
const REMEMBERED = 50_000;

/** The hub's spans (message-tracer.ts) on an OpenTelemetry tracer. */
export function createMessageTracer(tracer: Tracer): MessageTracer {
  const accepts = createAcceptContexts(REMEMBERED);
  // Emits and acks run in whatever context the engine's timers carry: their parent is the message's accept, or none.
  const parentOf = (id: string): Context => {
    const accept = accepts.get(id);
    return accept ? trace.setSpanContext(ROOT_CONTEXT, accept) : ROOT_CONTEXT;
  };

  return {
    traceAccepts: (enqueuer) => ({
      enqueue(request) {
        const span = tracer.startSpan("pushhub.accept", { attributes: { "pushhub.message_count": request.messages.length } });
        return enqueuer.enqueue({ ...request, trace: trace.setSpan(context.active(), span) }).then(
          (result) => {
            span.setAttribute("pushhub.outcome", result.outcome);
            setIds(span, result.ids);
            span.end();
            return result;
          },
          (error: unknown) => {
            failed(span, error);
            throw error;
          },
        );
      },
      drain: () => enqueuer.drain(),
    }),

    async commit(requests, store) {
      const spans = requests.map((r) =>
        tracer.startSpan("pushhub.commit", { attributes: { "pushhub.group_commit.requests": requests.length } }, (r.trace as Context | undefined) ?? ROOT_CONTEXT),
      );
      try {
        // One statement for the whole group: its own spans (pg) go under the first request's commit span.
        const output = await context.with(trace.setSpan(ROOT_CONTEXT, spans[0] as Span), store);
        output.results.forEach((result, i) => {
          setIds(spans[i] as Span, result.ids);
          const accept = trace.getSpanContext((requests[i]?.trace as Context | undefined) ?? ROOT_CONTEXT);
          // Before the hand-over (which may send at once): the emits find their accept.
          if (accept && result.outcome === "stored") for (const id of result.ids) accepts.set(id, accept);
        });
        for (const span of spans) span.end();
        return output;
      } catch (error) {
        for (const span of spans) failed(span, error);
        throw error;
      }
    },

    emitted(m, attempt) {
      const id = String(m.id);
      tracer.startSpan("pushhub.emit", { kind: SpanKind.PRODUCER, attributes: { [MESSAGE_ID]: id, "pushhub.attempt": attempt } }, parentOf(id)).end();
    },

    acked(m, sentMs) {
      const id = String(m.id);
      const now = Date.now();
      tracer.startSpan("pushhub.ack", { startTime: now - sentMs, attributes: { [MESSAGE_ID]: id } }, parentOf(id)).end(now);
      accepts.delete(id);
    },

    relayed(messages) {
      let known = false;
      const traceparents = messages.map((m) => {
        const accept = accepts.get(String(m.id));
        if (!accept) return "";
        known = true;
        return toTraceparent(accept);
      });
      return known ? traceparents : undefined;
    },

    received(messages, traceparents) {
      if (!Array.isArray(traceparents)) return;
      messages.forEach((m, i) => {
        const accept = fromTraceparent(traceparents[i]);
        if (accept) accepts.set(m.id, accept);
      });
    },
  };
}

function setIds(span: Span, ids: string[]): void {
  if (ids.length === 1) span.setAttribute(MESSAGE_ID, ids[0] as string);
  else span.setAttribute("pushhub.message_ids", ids);
}

function failed(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  span.end();
}
