import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import pg from "pg";
import { freePort } from "../loadtest/support/free-port.ts";
import { startHubProcess } from "../loadtest/support/hub-process.ts";
import { SERVER_NODE_FLAGS, type ServiceProcess } from "../loadtest/support/service-process.ts";
import { waitFor } from "../loadtest/support/wait-for.ts";
import { loadConfig } from "../server/config/load-config.ts";
import { connectClient } from "./support/client.ts";
import { createTestDatabase, type TestDatabase } from "./support/database.ts";
import { TEST_REDIS_URL } from "./support/env.ts";
import { publish } from "./support/http.ts";

/** One exported span, flattened from OTLP/JSON: attributes as plain values, its scope's name, its process. */
interface ExportedSpan {
  pid: unknown;
  scope: string;
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  attributes: Record<string, unknown>;
}

type AnyValue = { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number; arrayValue?: { values?: AnyValue[] } };
type KeyValue = { key: string; value: AnyValue };
const valueOf = (v: AnyValue): unknown => (v.arrayValue ? (v.arrayValue.values ?? []).map(valueOf) : (v.stringValue ?? v.intValue ?? v.boolValue ?? v.doubleValue));
const attributesOf = (list: KeyValue[] | undefined) => Object.fromEntries((list ?? []).map((a) => [a.key, valueOf(a.value)]));

/** An OTLP/HTTP receiver (JSON encoding) that keeps every span exported to it. */
async function startReceiver() {
  const spans: ExportedSpan[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
      for (const rs of body.resourceSpans ?? []) {
        const pid = attributesOf(rs.resource?.attributes)["process.pid"];
        for (const ss of rs.scopeSpans ?? []) {
          for (const s of ss.spans ?? []) {
            spans.push({ pid, scope: ss.scope?.name ?? "", name: s.name, traceId: s.traceId, spanId: s.spanId, parentSpanId: s.parentSpanId ?? "", attributes: attributesOf(s.attributes) });
          }
        }
      }
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let database: TestDatabase;
let db: pg.Client;
let dir: string;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const prefix = `pushhub-test-${randomBytes(4).toString("hex")}`;
const hubs: ServiceProcess[] = [];

const tracingEnv = () => ({
  OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
  // the SDK's own variables: JSON, so the test can read it; an export every 100 ms
  OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
  OTEL_BSP_SCHEDULE_DELAY: "100",
  // the rate limiter asks Redis within each request: ioredis spans
  RATE_LIMIT_PER_SECOND: "1000",
  RATE_LIMIT_BURST: "1000",
});

/**
 * `server/main.ts` in a child process (as `npm start` and the load tests run it), so tracing starts
 * before koa, pg, ioredis and socket.io are first imported; test/support/tracing-guard.mjs lists in
 * `report` every OpenTelemetry module the process loads. All hubs share one Redis prefix (a cluster).
 */
async function startHub(env: Record<string, string>, report: string): Promise<ServiceProcess> {
  const hub = await startHubProcess(
    await freePort(),
    { DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix, TRACING_GUARD_REPORT: report, ...env },
    { label: "traced-hub", nodeFlags: [...SERVER_NODE_FLAGS, `--import=${new URL("./support/tracing-guard.mjs", import.meta.url).href}`] },
  );
  hubs.push(hub);
  return hub;
}

/** One message end to end: published through `producerHub`, received and acked by a client of its uid on `clientHub`. */
async function roundTrip(producerHub: ServiceProcess, clientHub: ServiceProcess, uid: string): Promise<string> {
  const client = await connectClient(clientHub.url, uid);
  try {
    // The client's hub holds the uid before the message is accepted: the accept hands it over there.
    await waitFor(async () => (await db.query("SELECT holder FROM uid_heads WHERE uid = $1", [uid])).rows[0]?.holder, "the uid held");
    const id = await publish(producerHub.url, uid, { text: "traced" });
    await waitFor(() => client.received.some((m) => m.id === id), "the message at the client");
    return id;
  } catch (error) {
    throw new Error(`${(error as Error).message}\nhub output:\n${producerHub.output()}`);
  } finally {
    client.close();
  }
}

/** The message's accept, commit, emit and ack spans, once all are exported. */
function messageSpans(id: string) {
  const one = (name: string) => receiver.spans.find((s) => s.name === name && s.attributes["pushhub.message_id"] === id);
  return waitFor(() => {
    const found = ["pushhub.accept", "pushhub.commit", "pushhub.emit", "pushhub.ack"].map(one);
    return found.every(Boolean) ? (found as [ExportedSpan, ExportedSpan, ExportedSpan, ExportedSpan]) : undefined;
  }, `the spans of message ${id}`);
}

const loaded = (report: string) => (existsSync(report) ? readFileSync(report, "utf8").split("\n").filter(Boolean) : []);

before(async () => {
  database = await createTestDatabase("tracing");
  db = new pg.Client({ connectionString: database.url });
  await db.connect();
  dir = mkdtempSync(join(tmpdir(), "pushhub-tracing-"));
  receiver = await startReceiver();
});

after(async () => {
  for (const hub of hubs) await hub.stop("SIGTERM", 10_000).catch(() => undefined);
  await receiver?.close();
  await db?.end();
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

test("with OTEL_EXPORTER_OTLP_ENDPOINT, a message's accept, commit, emit and ack spans carry its id in one trace, beside http, koa, pg and ioredis spans", async () => {
  const report = join(dir, "traced.txt");
  const hub = await startHub(tracingEnv(), report);
  const id = await roundTrip(hub, hub, "traced-alice");
  const [accept, commit, emit, ack] = await messageSpans(id);
  for (const span of [commit, emit, ack]) {
    assert.equal(span.traceId, accept.traceId, `${span.name} is in the accept's trace`);
    assert.equal(span.parentSpanId, accept.spanId, `${span.name} is a child of the accept span`);
  }
  assert.equal(Number(emit.attributes["pushhub.attempt"]), 1);

  const trace = receiver.spans.filter((s) => s.traceId === accept.traceId);
  const root = trace.find((s) => s.parentSpanId === "");
  assert.equal(root?.scope, "@opentelemetry/instrumentation-http", "the trace starts at the HTTP request");
  assert.match(root?.name ?? "", /^POST/);
  assert.ok(trace.some((s) => s.scope === "@opentelemetry/instrumentation-koa" && s.attributes["http.route"] === "/api/messages"), "koa's router span");
  assert.ok(trace.some((s) => s.scope === "@opentelemetry/instrumentation-ioredis"), "the rate limiter's Redis call");
  assert.ok(
    trace.some((s) => s.scope === "@opentelemetry/instrumentation-pg" && s.parentSpanId === commit.spanId),
    "the group commit's statement is a pg span under the commit span",
  );
  assert.ok(receiver.spans.some((s) => s.scope === "@opentelemetry/instrumentation-socket.io"), "socket.io spans");

  // The guard sees what tracing loads, by import and by require: its empty report in the last test means something.
  const modules = loaded(report);
  assert.ok(modules.some((m) => /@opentelemetry[\\/]sdk-node[\\/]/.test(m)), "the SDK, imported");
  assert.ok(modules.some((m) => /@opentelemetry[\\/]sdk-trace-base[\\/]/.test(m)), "its parts, required");
});

test("a message accepted by one instance and delivered by another: the hand-over's traceparent puts its emit and ack in the accept's trace", async () => {
  const [producerHub] = hubs as [ServiceProcess];
  const deliveringHub = await startHub(tracingEnv(), join(dir, "traced-2.txt"));
  const id = await roundTrip(producerHub, deliveringHub, "traced-bob");
  const [accept, , emit, ack] = await messageSpans(id);
  assert.notEqual(emit.pid, accept.pid, "sent by the other instance");
  for (const span of [emit, ack]) {
    assert.equal(span.traceId, accept.traceId, `${span.name} is in the accept's trace`);
    assert.equal(span.parentSpanId, accept.spanId, `${span.name} is a child of the accept span`);
  }
});

test("without OTEL_EXPORTER_OTLP_ENDPOINT the hub loads no OpenTelemetry code (only the API facade prom-client requires)", async () => {
  const report = join(dir, "untraced.txt");
  const hub = await startHub({}, report);
  await roundTrip(hub, hub, "untraced-carol");
  await hub.stop("SIGTERM", 10_000);
  assert.deepEqual(loaded(report), []);
});

test("OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL: anything else stops the start naming it", () => {
  assert.throws(() => loadConfig({ NODE_ENV: "test", OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" }), /OTEL_EXPORTER_OTLP_ENDPOINT: must be an http/);
  assert.equal(loadConfig({ NODE_ENV: "test", OTEL_EXPORTER_OTLP_ENDPOINT: "https://collector:4318" }).otlpEndpoint, "https://collector:4318");
});
