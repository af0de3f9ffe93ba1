import { register } from "node:module";
import { trace } from "@opentelemetry/api";
import { HttpInstrumentation } from "@opentelemetry/instrumentation-http";
import { IORedisInstrumentation } from "@opentelemetry/instrumentation-ioredis";
import { KoaInstrumentation, KoaLayerType } from "@opentelemetry/instrumentation-koa";
import { PgInstrumentation } from "@opentelemetry/instrumentation-pg";
import { SocketIoInstrumentation } from "@opentelemetry/instrumentation-socket.io";
import { NodeSDK } from "@opentelemetry/sdk-node";
import { createAddHookMessageChannel } from "import-in-the-middle";
import { createMessageTracer } from "./create-message-tracer.ts";
import type { MessageTracer } from "./message-tracer.ts";

export interface Tracing {
  tracer: MessageTracer;
  /** Exports what is buffered and stops (after the hub stopped). */
  shutdown(): Promise<void>;
}

/** Probes and scrapes: not worth a trace each. */
const UNTRACED_PATHS = /^\/(healthz|readyz|metrics)(\?|$)/;

/**
 * Starts the OpenTelemetry SDK (main.ts, with OTEL_EXPORTER_OTLP_ENDPOINT set). The instrumentations
 * patch koa, pg, ioredis, socket.io and http as they are first imported — by `require` and, through the
 * import-in-the-middle loader registered here, by `import` — so this runs before any of the hub's
 * modules is loaded. The SDK reads the standard OTEL_* variables itself (exporter protocol and headers,
 * OTEL_TRACES_SAMPLER, OTEL_BSP_*, OTEL_RESOURCE_ATTRIBUTES, OTEL_SDK_DISABLED …).
 */
export async function startTracing(): Promise<Tracing> {
  // The loader wraps only the modules the instrumentations name, not every module the hub imports.
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register("import-in-the-middle/hook.mjs", import.meta.url, registerOptions);
  const env = process.env;
  const named = Boolean(env.OTEL_SERVICE_NAME) || /(^|,)\s*service\.name\s*=/.test(env.OTEL_RESOURCE_ATTRIBUTES ?? "");
  const sdk = new NodeSDK({
    ...(named ? {} : { serviceName: "push-hub" }),
    // Traces only, unless OpenTelemetry metrics or logs are asked for (the hub's own metrics are Prometheus's).
    ...(env.OTEL_METRICS_EXPORTER ? {} : { metricReaders: [] }),
    ...(env.OTEL_LOGS_EXPORTER ? {} : { logRecordProcessors: [] }),
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => UNTRACED_PATHS.test(req.url ?? "") }),
      // The router's spans name the route; a span per middleware (a dozen per request, mostly "anonymous") would not.
      new KoaInstrumentation({ ignoreLayersType: [KoaLayerType.MIDDLEWARE] }),
      // Statements outside a traced operation (heartbeats, the drain's claims, housekeeping) start no trace of their own.
      new PgInstrumentation({ requireParentSpan: true }),
      new IORedisInstrumentation({ requireParentSpan: true }),
      new SocketIoInstrumentation(),
    ],
  });
  sdk.start();
  await waitForAllMessagesAcknowledged();
  return { tracer: createMessageTracer(trace.getTracer("push-hub")), shutdown: () => sdk.shutdown() };
}
